import { describe, expect, it } from 'vitest';
import { suggestionText } from '../../cards/schedule-cards.js';
import { translator } from '../../src/i18n/translator.js';
import { allClashes, clashBetween, clashKey, clashesWith, parseImportance, parseRole, suggest, type ScheduleItem } from '../../src/services/schedule-logic.js';

const T0 = Date.UTC(2026, 11, 1, 1, 0); // 09:00 in Shanghai
const min = (n: number) => new Date(T0 + n * 60_000);
const BUFFER = 30 * 60_000;

function item(key: string, from: number, to: number, extra: Partial<ScheduleItem> = {}): ScheduleItem {
  return { key, source: key.startsWith('m') ? 'meeting' : key.startsWith('e') ? 'entry' : 'busy', title: key, start: min(from), end: min(to), venue: null, role: null, importance: 'medium', ...extra };
}

describe('clashBetween', () => {
  it('finds an overlap and orders the earlier item first, from either side', () => {
    const a = item('m1', 0, 60);
    const b = item('e2', 30, 90);
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const c = clashBetween(x, y, BUFFER)!;
      expect(c.kind).toBe('overlap');
      expect([c.a.key, c.b.key]).toEqual(['m1', 'e2']);
    }
  });

  it('finds containment', () => {
    expect(clashBetween(item('m1', 0, 240), item('e2', 60, 90), BUFFER)?.kind).toBe('overlap');
  });

  it('accepts back-to-back in the same venue, and with an unknown venue', () => {
    expect(clashBetween(item('m1', 0, 60, { venue: '主会场' }), item('m2', 60, 120, { venue: ' 主会场 ' }), BUFFER)).toBeNull();
    expect(clashBetween(item('m1', 0, 60, { venue: '主会场' }), item('b1', 60, 120), BUFFER)).toBeNull();
  });

  it('flags too little time to travel between different venues', () => {
    const c = clashBetween(item('m1', 0, 60, { venue: '主会场' }), item('m2', 80, 120, { venue: '国贸' }), BUFFER)!;
    expect(c).toMatchObject({ kind: 'travel', gapMinutes: 20 });
    expect(clashBetween(item('m1', 0, 60, { venue: '主会场' }), item('m2', 90, 120, { venue: '国贸' }), BUFFER)).toBeNull();
    expect(clashBetween(item('m1', 0, 60, { venue: '主会场' }), item('m2', 60, 120, { venue: '国贸' }), 0)).toBeNull();
  });

  it('never clashes an item with itself', () => {
    expect(clashBetween(item('m1', 0, 60), item('m1', 0, 60), BUFFER)).toBeNull();
  });
});

describe('clashesWith / allClashes', () => {
  const day = [
    item('m1', 0, 60, { venue: 'A' }),
    item('e1', 30, 45),
    item('m2', 60, 120, { venue: 'A' }),
    item('m3', 130, 180, { venue: 'B' }),
    item('b1', 0, 600),
  ];

  it('reports every clash of an item, not only the first', () => {
    expect(clashesWith(day[0]!, day, BUFFER).map((c) => `${c.a.key}-${c.b.key}`).sort()).toEqual(['m1-b1', 'm1-e1']);
  });

  it('finds the same pairs with the sweep as with all pairs', () => {
    const brute = new Set<string>();
    for (let i = 0; i < day.length; i++) for (let j = i + 1; j < day.length; j++) {
      const c = clashBetween(day[i]!, day[j]!, BUFFER);
      if (c) brute.add(clashKey('x', c.a.key, c.b.key));
    }
    const swept = new Set(allClashes(day, BUFFER).map((c) => clashKey('x', c.a.key, c.b.key)));
    expect(swept).toEqual(brute);
    expect(swept.has(clashKey('x', 'm2', 'm3'))).toBe(true);
    expect(swept.has(clashKey('x', 'm1', 'm2'))).toBe(false);
  });

  it('keys a pair the same way from either side', () => {
    expect(clashKey('u', 'm2', 'e1')).toBe(clashKey('u', 'e1', 'm2'));
  });
});

describe('suggest', () => {
  const zh = translator('zh-CN', 'Asia/Shanghai');
  const en = translator('en', 'Asia/Shanghai');
  /** The suggestion and its reason as the executive reads it. */
  const suggestion = (x: ScheduleItem, y: ScheduleItem, t = zh) => {
    const clash = clashBetween(x, y, BUFFER)!;
    const s = suggest(clash);
    return { keep: s.keep, reason: suggestionText(t, clash, s) };
  };

  it('prefers the bigger role and says why', () => {
    const s = suggestion(item('m1', 0, 60, { role: 'attendee', importance: 'high', title: '周会' }), item('m2', 30, 90, { role: 'host', title: '战略会' }));
    expect(s.keep).toBe('second');
    expect(s.reason).toContain('主持');
    expect(s.reason).toContain('「战略会」');
  });

  it('then the more important item', () => {
    const s = suggestion(item('e1', 0, 60, { importance: 'high', title: '客户拜访' }), item('m2', 30, 90, { role: 'attendee', importance: 'medium' }));
    expect(s.keep).toBe('first');
    expect(s.reason).toContain('重要性为高');
  });

  it('counts a calendar slot as 中 and suggests the assistant on a tie', () => {
    const s = suggestion(item('b1', 0, 60, { importance: null }), item('m2', 30, 90, { role: 'attendee', importance: 'medium' }));
    expect(s.keep).toBeNull();
    expect(s.reason).toContain('请助理协调');
  });

  it("names the executive on an assistant's copy instead of saying 您 / your", () => {
    const clash = clashBetween(item('m1', 0, 60, { role: 'attendee', title: '周会' }), item('m2', 30, 90, { role: 'host', title: '战略会' }), BUFFER)!;
    expect(suggestionText(zh, clash, suggest(clash), '李总')).toBe('建议保留后者「战略会」：李总在其中担任主持，在「周会」中为参会');
    const tie = clashBetween(item('e1', 0, 60), item('m2', 30, 90, { role: 'attendee' }), BUFFER)!;
    expect(suggestionText(zh, tie, suggest(tie), '李总')).toBe('两项中李总的角色（本人日程）和重要性（中）相同，建议请助理协调');
    expect(suggestionText(en, clash, suggest(clash), 'Li')).toBe("Suggest keeping the second one, “战略会”: Li's role there (host) outranks their role in “周会” (attendee)");
  });

  it('says why in English too', () => {
    const s = suggestion(item('m1', 0, 60, { role: 'attendee', title: 'Weekly' }), item('m2', 30, 90, { role: 'host', title: 'Strategy' }), en);
    expect(s.reason).toBe('Suggest keeping the second one, “Strategy”: your role there (host) outranks your role in “Weekly” (attendee)');
  });
});

describe('words', () => {
  it.each([
    ['高', 'high'], ['中', 'medium'], ['低', 'low'], ['High', 'high'], ['紧急', null],
  ])('importance %s', (w, v) => expect(parseImportance(w)).toBe(v));
  it.each([
    ['主持', 'host'], ['主讲', 'speaker'], ['参会', 'attendee'], ['speaker', 'speaker'], ['Host', 'host'], ['嘉宾', null],
  ])('role %s', (w, v) => expect(parseRole(w)).toBe(v));
});
