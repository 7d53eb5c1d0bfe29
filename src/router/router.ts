/**
 * Normalized event -> handler -> reply. Replies are queued like any other notification,
 * with ids derived from the inbound event id, so a redelivered event never answers twice.
 * Replies are rendered in the requester's language: their own setting, else the language of the
 * keyword they typed (an English alias gets English), else the configured default.
 */
import { CodedError, UsageError, errorReference } from '../errors.js';
import type { Translator } from '../i18n/translator.js';
import { words } from '../i18n/vocabulary.js';
import type { CardActionEvent, CardActionOutcome, MessageEvent, OutboundContent } from '../platforms/types.js';
import { PRIORITY, jobIdPart } from '../queue/queues.js';
import type { ConversationRecord, UserRecord } from '../services/directory.js';
import type { Services } from '../services/services.js';
import { normalizeCommandText, splitKeyword, stripMentions } from './normalize.js';
import type { HandlerRegistry } from './registry.js';
import { closest } from './suggest.js';
import type { CommandSpec, Reply } from './types.js';

/** The bot's names people @-mention, every language's. */
export const BOT_NAMES: readonly string[] = words('common.botNames');

const HAS_CJK = /[\u3400-\u9fff]/;

/** The usage block of a command, in the reader's language. */
/** The usage lines of a command, in the reader's language. */
function usageLines(spec: CommandSpec, t: Translator): string[] {
  return t.t(`commands.${spec.id}.usage`).split('\n').filter((l) => l.trim() !== '');
}

export function usageText(spec: CommandSpec, t: Translator): string {
  const lines = usageLines(spec, t);
  return t.t('router.usage', { lines: lines.map((u) => `  ${u}`).join('\n'), example: t.t(`commands.${spec.id}.example`) });
}

/** A DM, a group message that @-mentions the bot (or that the platform only delivers because it does), or a `/command`. */
export function isAddressedToBot(event: MessageEvent, conversation: ConversationRecord): boolean {
  return (
    conversation.type === 'direct' || event.addressedToBot === true || BOT_NAMES.some((n) => event.text.includes(`@${n}`)) || /^\s*[/／]/.test(event.text)
  );
}

/**
 * After a malformed command, the usage lines of the sub-command the user typed (not the whole block
 * in the group), and where to find the rest.
 */
export function relevantUsage(spec: CommandSpec, keyword: string, args: string, t: Translator): string {
  const lines = usageLines(spec, t);
  const sub = args.split(' ')[0]?.toLowerCase() ?? '';
  const word = (line: string) => line.toLowerCase().split(/[\s|]+/);
  const matching = sub ? lines.filter((l) => word(l).includes(sub)) : [];
  const shown = (matching.length > 0 ? matching : lines.slice(0, 1)).map((u) => `  ${u}`).join('\n');
  return t.t('router.usageShort', { lines: shown, help: `${t.t('router.helpWord')} ${keyword}` });
}

export class Router {
  constructor(
    private readonly registry: HandlerRegistry,
    private readonly services: Services,
  ) {}

  async handleMessage(event: MessageEvent): Promise<void> {
    const { directory, locales, log } = this.services;
    const [user, conversation] = await Promise.all([directory.user(event.userId), directory.conversation(event.conversationId)]);
    if (!user || !conversation) {
      log.warn({ event }, 'message from unknown user or conversation ignored');
      return;
    }
    const addressed = isAddressedToBot(event, conversation);
    if (addressed && event.overBudget) {
      await this.reply(event, conversation, locales.ofUser(user).t('router.tooFast', { perMinute: event.overBudget.perMinute }));
      return;
    }
    const line = normalizeCommandText(event.text, BOT_NAMES);
    const match = splitKeyword(line, this.registry.keywords());
    // A file without a command (an image has no caption): the file handlers decide, even unaddressed.
    if (event.file && (!match || !addressed)) {
      await this.handleFile(event, user, conversation);
      return;
    }
    // In a group, ordinary chat between people is not for us: "提醒大家明天带电脑" said to colleagues is no command.
    if (!addressed) return;
    if (!match) {
      const t = locales.ofUser(user, line !== '' && !HAS_CJK.test(line) ? 'en' : undefined);
      await this.reply(event, conversation, line === '' ? t.t('router.hello') : this.unknownCommand(line, t));
      return;
    }
    const spec = this.registry.commandFor(match.keyword)!;
    const t = locales.ofUser(user, this.registry.localeOfKeyword(spec, match.keyword) === 'en' ? 'en' : undefined);
    const mentioned = event.mentions.length > 0 ? await directory.usersByIds(event.mentions.map((m) => m.userId)) : [];
    const args = stripMentions(match.rest, event.mentions.map((m) => m.name));
    let reply: Reply;
    try {
      reply = await spec.handle({ event, user, conversation, args, mentions: mentioned, services: this.services, t, now: this.services.clock() });
    } catch (error) {
      reply = this.errorReply(error, spec, match.keyword, args, event, t);
    }
    await this.reply(event, conversation, reply);
  }

  async handleCardAction(event: CardActionEvent): Promise<CardActionOutcome> {
    const { directory, cards, locales, log } = this.services;
    const [user, card] = await Promise.all([directory.user(event.userId), cards.get(event.cardId)]);
    const t = locales.ofUser(user);
    if (!user) return { accepted: false, reason: t.t('router.card.unknownUser') };
    if (!card) return { accepted: false, reason: t.t('router.card.missing') };
    if (card.model.state?.closed) return { accepted: false, reason: t.t('router.card.closed', { state: card.model.state.label }) };
    if (!card.model.actions?.some((a) => a.key === event.action)) return { accepted: false, reason: t.t('router.card.noSuchAction') };
    if (card.recipientUserId && card.recipientUserId !== user.id) {
      const owner = await directory.user(card.recipientUserId);
      return { accepted: false, reason: t.t('router.card.notYours', { owner: owner?.name ?? t.t('router.card.someoneElse') }) };
    }
    const spec = this.registry.actionFor(event.action);
    if (!spec) return { accepted: false, reason: t.t('router.card.unsupported') };
    try {
      return await spec.handle({ event, user, card, services: this.services, t, now: this.services.clock() });
    } catch (error) {
      if (error instanceof CodedError) return { accepted: false, reason: t.t(error.key, error.params) };
      const ref = errorReference();
      log.error({ err: error, ref, action: event.action, cardId: event.cardId }, 'card action failed');
      return { accepted: false, reason: t.t('router.internalError', { ref }) };
    }
  }

  /** The first file handler that takes the file answers; none does: silence (a group) or whatever they said. */
  private async handleFile(event: MessageEvent, user: UserRecord, conversation: ConversationRecord): Promise<void> {
    const t = this.services.locales.ofUser(user);
    const ctx = { event, user, conversation, args: '', mentions: [], services: this.services, t, now: this.services.clock() };
    for (const handler of this.registry.fileHandlers()) {
      let reply: Reply | null;
      try {
        reply = await handler(ctx);
      } catch (error) {
        if (error instanceof CodedError) reply = `❌ ${t.t(error.key, error.params)}`;
        else {
          const ref = errorReference();
          this.services.log.error({ err: error, ref, file: event.file?.kind }, 'file message failed');
          reply = t.t('router.internalError', { ref });
        }
      }
      if (reply === null) continue;
      await this.reply(event, conversation, reply);
      return;
    }
  }

  private unknownCommand(line: string, t: Translator): string {
    const word = line.split(' ')[0] ?? line;
    const guess = closest(word, this.registry.keywords());
    return guess ? t.t('router.unknownCommandGuess', { word, guess }) : t.t('router.unknownCommand', { word });
  }

  private errorReply(error: unknown, spec: CommandSpec, keyword: string, args: string, event: MessageEvent, t: Translator): string {
    if (error instanceof UsageError) return `❌ ${t.t(error.key, error.params)}\n${relevantUsage(spec, keyword, args, t)}`;
    if (error instanceof CodedError) return `❌ ${t.t(error.key, error.params)}`;
    const ref = errorReference();
    this.services.log.error({ err: error, ref, command: spec.id, text: event.text }, 'command failed');
    return t.t('router.internalError', { ref });
  }

  private async reply(event: MessageEvent, conversation: ConversationRecord, reply: Reply): Promise<void> {
    const contents = toContents(reply);
    const target = { kind: 'conversation' as const, conversationId: conversation.id };
    for (const [i, content] of contents.entries()) {
      const id = `reply-${jobIdPart(event.platform)}-${jobIdPart(event.eventId)}-${i}`;
      if (content.type === 'card') {
        await this.services.cards.send(content.card, { kind: 'reply', refId: id, target, priority: PRIORITY.interactive });
      } else {
        await this.services.outbox.enqueue({ id, target, content, priority: PRIORITY.interactive });
      }
    }
  }
}

function toContents(reply: Reply): OutboundContent[] {
  if (reply === undefined) return [];
  if (typeof reply === 'string') return [{ type: 'text', text: reply }];
  return Array.isArray(reply) ? reply : [reply];
}
