/** 帮助 / help: every command with one example, or one command's usage, in the reader's language. */
import { usageText } from '../src/router/router.js';
import type { HandlerRegistry } from '../src/router/registry.js';
import { closest } from '../src/router/suggest.js';
import type { CommandSpec } from '../src/router/types.js';

export function helpCommand(registry: HandlerRegistry): CommandSpec {
  return {
    id: 'help',
    async handle({ args, t }) {
      const topic = args.split(' ')[0];
      // The reader's own words first: "help / 帮助" for English readers, "帮助 / help" for Chinese ones.
      const ordered = (spec: CommandSpec) => {
        const all = registry.keywordsOf(spec);
        const mine = all.filter((k) => registry.localeOfKeyword(spec, k) === t.locale);
        return [...mine, ...all.filter((k) => !mine.includes(k))];
      };
      const keywords = (spec: CommandSpec) => ordered(spec).filter((k) => k.length > 1).join(' / ');
      if (!topic) {
        const lines = registry.allCommands().map((c) =>
          t.t('help.overviewLine', { keywords: keywords(c), summary: t.t(`commands.${c.id}.summary`), example: t.t(`commands.${c.id}.example`) }),
        );
        return t.t('help.overview', { lines: lines.join('\n') });
      }
      const spec = registry.commandFor(topic);
      if (spec) return t.t('help.topic', { keywords: ordered(spec).join(' / '), summary: t.t(`commands.${spec.id}.summary`), usage: usageText(spec, t) });
      const guess = closest(topic, registry.keywords());
      return guess ? t.t('help.unknownTopicGuess', { topic, guess }) : t.t('help.unknownTopic', { topic });
    },
  };
}
