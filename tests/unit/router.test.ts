import { describe, expect, it } from 'vitest';
import { HandlerRegistry } from '../../src/router/registry.js';
import { normalizeCommandText, parseShortId, splitKeyword, stripMentions } from '../../src/router/normalize.js';
import { closest } from '../../src/router/suggest.js';
import type { CommandSpec } from '../../src/router/types.js';
import { buildRegistry } from '../../handlers/index.js';
import { translator } from '../../src/i18n/translator.js';
import type { MessageEvent } from '../../src/platforms/types.js';
import { isAddressedToBot, relevantUsage } from '../../src/router/router.js';

const BOT = ['会务助手'];
const KEYWORDS = ['提醒', 'remind', 'reminder', '帮助', 'help'];

describe('normalizeCommandText', () => {
  it.each([
    ['提醒 10秒后 测试', '提醒 10秒后 测试'],
    ['/提醒 10秒后 测试', '提醒 10秒后 测试'],
    ['／提醒 10秒后 测试', '提醒 10秒后 测试'],
    ['@会务助手 提醒 10秒后 测试', '提醒 10秒后 测试'],
    ['提醒 @会务助手 10秒后 测试', '提醒 10秒后 测试'],
    ['提醒 10秒后 测试 @会务助手', '提醒 10秒后 测试'],
    ['  提醒　　10秒后\t测试  ', '提醒 10秒后 测试'],
    ['提醒　１０：３０ 开会', '提醒 10:30 开会'],
    ['ＨＥＬＰ', 'HELP'],
    ['@会务助手 /help', 'help'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeCommandText(input, BOT)).toBe(expected);
  });
});

describe('splitKeyword', () => {
  it('splits a keyword with a space', () => {
    expect(splitKeyword('提醒 10秒后 测试', KEYWORDS)).toEqual({ keyword: '提醒', rest: '10秒后 测试' });
  });
  it('splits a Chinese keyword glued to its argument', () => {
    expect(splitKeyword('提醒我明天9点开会', KEYWORDS)).toEqual({ keyword: '提醒', rest: '我明天9点开会' });
  });
  it('is case-insensitive for English aliases and prefers the longest', () => {
    expect(splitKeyword('Reminder list', KEYWORDS)).toEqual({ keyword: 'reminder', rest: 'list' });
    expect(splitKeyword('REMIND me in 5 minutes x', KEYWORDS)).toEqual({ keyword: 'remind', rest: 'me in 5 minutes x' });
  });
  it('does not match an English keyword inside a longer word', () => {
    expect(splitKeyword('helpful tips', KEYWORDS)).toBeNull();
  });
  it('returns null for unknown commands', () => {
    expect(splitKeyword('你好', KEYWORDS)).toBeNull();
  });
});

describe('stripMentions and parseShortId', () => {
  it('removes mention tokens, longest names first', () => {
    expect(stripMentions('@张三 @张三丰 明天9点 交材料', ['张三', '张三丰'])).toBe('明天9点 交材料');
  });
  it.each([
    ['#12', 12],
    ['12', 12],
    ['＃12', 12],
    ['#', null],
    ['abc', null],
    [undefined, null],
  ])('parseShortId(%s) = %s', (token, expected) => {
    expect(parseShortId(token)).toBe(expected);
  });
});

describe('closest', () => {
  it.each([
    ['提', '提醒'],
    ['提醒我', '提醒'],
    ['remnd', 'remind'],
    ['hlep', 'help'],
    ['帮组', '帮助'],
  ])('suggests %s -> %s', (word, expected) => {
    expect(closest(word, KEYWORDS)).toBe(expected);
  });
  it('suggests nothing for unrelated words', () => {
    expect(closest('天气预报怎么样', KEYWORDS)).toBeNull();
  });
});

describe('HandlerRegistry', () => {
  const spec = (id: string): CommandSpec => ({ id, handle: async () => undefined });
  const keywords: Record<string, string[]> = { a: ['甲'], b: ['甲'] };
  it('fails at registration on a duplicate keyword or id', () => {
    const registry = new HandlerRegistry((id) => keywords[id] ?? []).command(spec('a'));
    expect(() => registry.command(spec('b'))).toThrow(/Duplicate command keyword/);
    expect(() => registry.command(spec('a'))).toThrow(/Duplicate command id/);
  });
  it('fails on a duplicate card action', () => {
    const registry = new HandlerRegistry().cardAction({ key: 'x.y', handle: async () => ({ accepted: true }) });
    expect(() => registry.cardAction({ key: 'x.y', handle: async () => ({ accepted: true }) })).toThrow(/Duplicate card action/);
  });
  it('registers every shipped command with keywords in Chinese and English', () => {
    const registry = buildRegistry();
    for (const command of registry.allCommands()) {
      expect(registry.keywordsOf(command).some((k) => /[\u4e00-\u9fff]/.test(k)), command.id).toBe(true);
      expect(registry.keywordsOf(command).some((k) => /^[a-z]/.test(k)), command.id).toBe(true);
    }
  });
});

describe('isAddressedToBot', () => {
  const group = { id: 'g', platform: 'simulator', externalId: 'g', name: 'g', type: 'group' as const, memberIds: [], locale: null };
  const dm = { ...group, type: 'direct' as const };
  const event = (text: string, addressedToBot?: boolean): MessageEvent => ({
    kind: 'message', platform: 'simulator', eventId: 'e', conversationId: 'g', conversationType: 'group', userId: 'u', text, mentions: [], receivedAt: '', ...(addressedToBot ? { addressedToBot } : {}),
  });
  it.each([
    ['提醒大家明天带电脑', false],
    ['会议室在哪里？', false],
    ['@会务助手 提醒 明天9点 带电脑', true],
    ['/提醒 明天9点 带电脑', true],
    ['／帮助', true],
  ])('in a group, %s -> %s', (text, expected) => {
    expect(isAddressedToBot(event(text), group)).toBe(expected);
  });
  it('takes the platform at its word and treats every direct message as addressed', () => {
    expect(isAddressedToBot(event('提醒 明天9点 带电脑', true), group)).toBe(true);
    expect(isAddressedToBot(event('提醒 明天9点 带电脑'), dm)).toBe(true);
  });
});

describe('relevantUsage', () => {
  const registry = buildRegistry();
  const meeting = registry.commandFor('会议')!;
  it('shows the usage line of the sub-command typed and where the rest is', () => {
    const text = relevantUsage(meeting, '会议', '新建 年会', translator('zh-CN', 'Asia/Shanghai'));
    expect(text.split('\n').filter((l) => l.startsWith('  '))).toEqual(['  会议 新建 <标题> <开始时间>[~<结束时间>] [地点 <地点>]']);
    expect(text).toContain('帮助 会议');
  });
  it('shows the first line when the sub-command is unknown, in the reader language', () => {
    const text = relevantUsage(meeting, 'meeting', 'frobnicate', translator('en', 'Asia/Shanghai'));
    expect(text.split('\n').filter((l) => l.startsWith('  '))).toHaveLength(1);
    expect(text).toContain('help meeting');
  });
});
