/** 语言 / language: the reply language of the requester, or of the group's cards and notices. */
import { type Locale, LOCALES } from '../src/i18n/catalog.js';
import { words } from '../src/i18n/vocabulary.js';
import { type CommandContext, type CommandSpec, UsageError, UserError, msg } from '../src/router/types.js';
import type { Capability } from '../src/capability.js';

const localeNameKey = (locale: Locale) => `language.names.${locale}`;

function localeOf(word: string): Locale | 'reset' | null {
  const lower = word.toLowerCase();
  for (const locale of LOCALES) if (words(`language.words.${locale}`).some((w) => w.toLowerCase() === lower)) return locale;
  return words('language.words.reset').some((w) => w.toLowerCase() === lower) ? 'reset' : null;
}

export const languageCommand: CommandSpec = {
  id: 'language',
  async handle(ctx) {
    const [first = '', second = ''] = ctx.args.split(' ');
    if (!first) return current(ctx);
    const forGroup = words('language.words.group').includes(first.toLowerCase());
    const word = forGroup ? second : first;
    const choice = localeOf(word);
    if (!choice) throw new UsageError('E_LANGUAGE_UNKNOWN', { word });
    const { directory, locales } = ctx.services;
    if (forGroup) {
      if (ctx.conversation.type !== 'group') throw new UserError('E_LANGUAGE_GROUP_ONLY');
      if (!ctx.user.roles.some((r) => r === 'organizer' || r === 'admin')) throw new UserError('E_LANGUAGE_GROUP_ORGANIZER');
      await directory.setConversationLocale(ctx.conversation.id, choice === 'reset' ? null : choice);
      const t = locales.translator(choice === 'reset' ? null : choice);
      return choice === 'reset'
        ? t.t('language.resetGroup', { language: msg(localeNameKey(t.locale)) })
        : t.t('language.setGroup', { language: msg(localeNameKey(choice)) });
    }
    await directory.setUserLocale(ctx.user.id, choice === 'reset' ? null : choice);
    const t = locales.translator(choice === 'reset' ? null : choice);
    return choice === 'reset'
      ? t.t('language.resetMine', { language: msg(localeNameKey(t.locale)) })
      : t.t('language.setMine', { language: msg(localeNameKey(choice)) });
  },
};

function current({ t, user, conversation, services }: CommandContext): string {
  const setting = (locale: Locale | null) =>
    locale ? t.t(localeNameKey(locale)) : t.t('language.default', { language: msg(localeNameKey(services.locales.translator().locale)) });
  const group = conversation.type === 'group' ? t.t('language.currentGroup', { group: setting(conversation.locale) }) : '';
  return t.t('language.current', { mine: setting(user.locale), group });
}

/** The reply language of people and groups. */
export const language: Capability = { name: 'language', commands: [languageCommand] };
