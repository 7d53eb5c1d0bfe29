/** 帮助 / help: every command with one example, or one command's usage. */
import { usageText } from '../src/router/router.js';
import type { HandlerRegistry } from '../src/router/registry.js';
import { closest } from '../src/router/suggest.js';
import type { CommandSpec } from '../src/router/types.js';

export function helpCommand(registry: HandlerRegistry): CommandSpec {
  return {
    id: 'help',
    keywords: ['帮助', 'help', '?', '？'],
    summary: '查看命令列表或某个命令的用法',
    usage: ['帮助', '帮助 <命令>'],
    example: '帮助 提醒',
    async handle({ args }) {
      const topic = args.split(' ')[0];
      if (!topic) {
        const lines = registry
          .allCommands()
          .map((c) => `• ${c.keywords.filter((k) => k.length > 1).join(' / ')}：${c.summary}\n  例如：${c.example}`);
        return `会务助手命令（可加 / 前缀，可 @会务助手）：\n${lines.join('\n')}\n发送「帮助 <命令>」查看详细用法。`;
      }
      const spec = registry.commandFor(topic);
      if (spec) return `「${spec.keywords.join(' / ')}」${spec.summary}\n${usageText(spec)}`;
      const guess = closest(topic, registry.keywords());
      return `没有「${topic}」这个命令。${guess ? `你是不是想查「帮助 ${guess}」？` : '发送「帮助」查看所有命令。'}`;
    },
  };
}
