/**
 * Normalized event -> handler -> reply. Replies are queued like any other notification,
 * with ids derived from the inbound event id, so a redelivered event never answers twice.
 */
import type { CardActionEvent, CardActionOutcome, MessageEvent, OutboundContent } from '../platforms/types.js';
import { PRIORITY, jobIdPart } from '../queue/queues.js';
import type { ConversationRecord } from '../services/directory.js';
import type { Services } from '../services/services.js';
import { normalizeCommandText, splitKeyword, stripMentions } from './normalize.js';
import type { HandlerRegistry } from './registry.js';
import { closest } from './suggest.js';
import { type CommandSpec, type Reply, UsageError, UserError } from './types.js';

export const BOT_NAMES = ['会务助手', 'Huiwu', 'huiwu'] as const;

export function usageText(spec: CommandSpec): string {
  return `用法：\n${spec.usage.map((u) => `  ${u}`).join('\n')}\n例如：${spec.example}`;
}

export class Router {
  constructor(
    private readonly registry: HandlerRegistry,
    private readonly services: Services,
  ) {}

  async handleMessage(event: MessageEvent): Promise<void> {
    const { directory, log } = this.services;
    const [user, conversation] = await Promise.all([directory.user(event.userId), directory.conversation(event.conversationId)]);
    if (!user || !conversation) {
      log.warn({ event }, 'message from unknown user or conversation ignored');
      return;
    }
    const addressedToBot = BOT_NAMES.some((n) => event.text.includes(`@${n}`)) || /^\s*[/／]/.test(event.text) || conversation.type === 'direct';
    const line = normalizeCommandText(event.text, BOT_NAMES);
    const match = splitKeyword(line, this.registry.keywords());
    if (!match) {
      // In a group, ordinary chat between people is not for us; only answer when addressed.
      if (!addressedToBot) return;
      await this.reply(event, conversation, line === '' ? '你好，我是会务助手。发送「帮助」查看所有命令。' : this.unknownCommand(line));
      return;
    }
    const spec = this.registry.commandFor(match.keyword)!;
    const mentioned = await directory.usersByIds(event.mentions.map((m) => m.userId));
    const args = stripMentions(match.rest, event.mentions.map((m) => m.name));
    let reply: Reply;
    try {
      reply = await spec.handle({ event, user, conversation, args, mentions: mentioned, services: this.services, now: this.services.clock() });
    } catch (error) {
      reply = this.errorReply(error, spec, event);
    }
    await this.reply(event, conversation, reply);
  }

  async handleCardAction(event: CardActionEvent): Promise<CardActionOutcome> {
    const { directory, cards, log } = this.services;
    const [user, card] = await Promise.all([directory.user(event.userId), cards.get(event.cardId)]);
    if (!user) return { accepted: false, reason: '未知用户' };
    if (!card) return { accepted: false, reason: '卡片不存在或已过期' };
    if (card.model.state?.closed) return { accepted: false, reason: `该卡片已处理：${card.model.state.label}` };
    if (!card.model.actions?.some((a) => a.key === event.action)) return { accepted: false, reason: '该卡片没有这个操作' };
    if (card.recipientUserId && card.recipientUserId !== user.id) {
      const owner = await directory.user(card.recipientUserId);
      return { accepted: false, reason: `这张卡片是发给${owner?.name ?? '他人'}的，只有本人可以操作` };
    }
    const spec = this.registry.actionFor(event.action);
    if (!spec) return { accepted: false, reason: '该操作暂不支持' };
    try {
      return await spec.handle({ event, user, card, services: this.services, now: this.services.clock() });
    } catch (error) {
      if (error instanceof UserError || error instanceof UsageError) return { accepted: false, reason: error.message };
      log.error({ err: error, action: event.action, cardId: event.cardId }, 'card action failed');
      return { accepted: false, reason: '处理失败，请稍后重试' };
    }
  }

  private unknownCommand(line: string): string {
    const word = line.split(' ')[0] ?? line;
    const guess = closest(word, this.registry.keywords());
    const hint = guess ? `你是不是想用「${guess}」？` : '';
    return `没有「${word}」这个命令。${hint}发送「帮助」查看所有命令。`;
  }

  private errorReply(error: unknown, spec: CommandSpec, event: MessageEvent): string {
    if (error instanceof UsageError) return `❌ ${error.message}\n${usageText(spec)}`;
    if (error instanceof UserError) return `❌ ${error.message}`;
    this.services.log.error({ err: error, command: spec.id, text: event.text }, 'command failed');
    return '抱歉，处理这条命令时出错了，请稍后重试。';
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
