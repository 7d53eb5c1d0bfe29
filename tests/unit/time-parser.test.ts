import { describe, it, expect } from 'vitest';
import { formatDateTime, parseTime, parseTimeRange, type ParseOptions } from '../../src/time/parse-time.js';

// Friday 2026-11-27 10:00 in Shanghai (= Thursday 2026-11-26 21:00 in New York).
const NOW = new Date('2026-11-27T10:00:00+08:00');
const SH = 'Asia/Shanghai';
const NY = 'America/New_York';

interface Row {
  input: string;
  /** Expected one-off time as `YYYY-MM-DD HH:mm` in the row's zone. */
  at?: string;
  /** Exact expected instant, for second-level relative times. */
  iso?: string;
  cron?: string;
  desc?: string;
  /** Expected `firstAt` of a recurring expression, `YYYY-MM-DD HH:mm`. */
  first?: string;
  reason?: 'none' | 'past' | 'invalid';
  rest?: string;
  zone?: string;
  now?: string;
}

const rows: Row[] = [
  // relative
  { input: '10秒后 测试', at: '2026-11-27 10:00', iso: '2026-11-27T02:00:10.000Z', rest: '测试' },
  { input: '30分钟后', at: '2026-11-27 10:30', rest: '' },
  { input: '半小时后', at: '2026-11-27 10:30' },
  { input: '2小时后开会', at: '2026-11-27 12:00', rest: '开会' },
  { input: '1个半小时后', at: '2026-11-27 11:30' },
  { input: '3天后', at: '2026-11-30 10:00' },
  { input: '两小时后', at: '2026-11-27 12:00' },
  { input: '十五分钟后', at: '2026-11-27 10:15' },
  { input: '二十分钟后', at: '2026-11-27 10:20' },
  { input: 'in 45 minutes', at: '2026-11-27 10:45' },
  { input: 'in 2 hours', at: '2026-11-27 12:00' },
  { input: 'in 10 seconds', iso: '2026-11-27T02:00:10.000Z' },
  { input: 'in 3 days', at: '2026-11-30 10:00' },
  { input: '3天后下午3点', at: '2026-11-30 15:00' },
  // day words + time of day
  { input: '今天下午3点', at: '2026-11-27 15:00' },
  { input: '明天下午3点开会', at: '2026-11-28 15:00', rest: '开会' },
  { input: '明天 15:00', at: '2026-11-28 15:00' },
  { input: '后天上午10点半', at: '2026-11-29 10:30' },
  { input: '大后天9点', at: '2026-11-30 09:00' },
  { input: '今晚8点', at: '2026-11-27 20:00' },
  { input: '明早8点', at: '2026-11-28 08:00' },
  { input: '明天早上9点', at: '2026-11-28 09:00' },
  { input: '明天中午12点', at: '2026-11-28 12:00' },
  { input: '明天中午1点', at: '2026-11-28 13:00' },
  { input: '明天下午3点15分', at: '2026-11-28 15:15' },
  { input: '明天下午3:30', at: '2026-11-28 15:30' },
  { input: '明天傍晚6点', at: '2026-11-28 18:00' },
  { input: '明天凌晨2点', at: '2026-11-28 02:00' },
  { input: '明天凌晨12点', at: '2026-11-28 00:00' },
  { input: '明天晚上10点', at: '2026-11-28 22:00' },
  { input: '明天晚上12点', at: '2026-11-29 00:00' },
  { input: '明天', at: '2026-11-28 09:00' },
  { input: '明天下午', at: '2026-11-28 14:00' },
  { input: '下午3点', at: '2026-11-27 15:00' },
  { input: '15:00', at: '2026-11-27 15:00' },
  { input: '9:00', at: '2026-11-28 09:00' }, // already past today → tomorrow
  { input: '早上8点', at: '2026-11-28 08:00' },
  { input: '十点半', at: '2026-11-27 10:30' },
  { input: '明天１０：３０', at: '2026-11-28 10:30' },
  { input: '１０：３０', at: '2026-11-27 10:30' },
  { input: '明天 下午 3 点', at: '2026-11-28 15:00' },
  // weekdays (today is Friday)
  { input: '周五 14:00', at: '2026-11-27 14:00' },
  { input: '周五 9:00', at: '2026-12-04 09:00' },
  { input: '星期五下午2点', at: '2026-11-27 14:00' },
  { input: '礼拜五', at: '2026-12-04 09:00' },
  { input: '下周一上午9:30', at: '2026-11-30 09:30' },
  { input: '这周日', at: '2026-11-29 09:00' },
  { input: '周一', at: '2026-11-30 09:00' },
  { input: '下周五', at: '2026-12-04 09:00' },
  { input: '星期天下午3点', at: '2026-11-29 15:00' },
  // dates
  { input: '12月24日 19:30', at: '2026-12-24 19:30' },
  { input: '12月24号晚上7点', at: '2026-12-24 19:00' },
  { input: '2026-12-24 19:30', at: '2026-12-24 19:30' },
  { input: '2026/12/24 19:30', at: '2026-12-24 19:30' },
  { input: '12-24 19:30', at: '2026-12-24 19:30' },
  { input: '2026年12月24日 19:30', at: '2026-12-24 19:30' },
  { input: '2026-12-24T19:30', at: '2026-12-24 19:30' },
  { input: '3月1日', at: '2027-03-01 09:00' }, // already past this year → next year
  { input: '十二月二十四日', at: '2026-12-24 09:00' },
  { input: '28号下午3点', at: '2026-11-28 15:00' },
  // English
  { input: 'tomorrow 9am', at: '2026-11-28 09:00' },
  { input: 'tomorrow at 3:30pm', at: '2026-11-28 15:30' },
  { input: 'today 18:00', at: '2026-11-27 18:00' },
  { input: 'tonight 8pm', at: '2026-11-27 20:00' },
  { input: 'next monday 10am', at: '2026-11-30 10:00' },
  { input: 'friday 2pm', at: '2026-11-27 14:00' },
  { input: 'at 9:15', at: '2026-11-28 09:15' },
  { input: '9pm', at: '2026-11-27 21:00' },
  { input: '12am', at: '2026-11-28 00:00' },
  { input: '3pm tomorrow', at: '2026-11-28 15:00' },
  // rest extraction
  { input: '提醒内容 明天 9:00', at: '2026-11-28 09:00', rest: '提醒内容' },
  { input: '明天下午3点的会议', at: '2026-11-28 15:00', rest: '会议' },
  { input: '周五 14:00，交周报', at: '2026-11-27 14:00', rest: '交周报' },
  { input: '明天上午10点：项目评审', at: '2026-11-28 10:00', rest: '项目评审' },
  // recurring
  { input: '每天早上9点', cron: '0 9 * * *', desc: '每天 09:00', first: '2026-11-28 09:00' },
  { input: '每天 18:30', cron: '30 18 * * *', desc: '每天 18:30', first: '2026-11-27 18:30' },
  { input: '每周一 9:00', cron: '0 9 * * 1', desc: '每周一 09:00', first: '2026-11-30 09:00' },
  { input: '每周五下午5点', cron: '0 17 * * 5', desc: '每周五 17:00', first: '2026-11-27 17:00' },
  { input: '工作日 18:00', cron: '0 18 * * 1-5', desc: '工作日 18:00', first: '2026-11-27 18:00' },
  { input: '每个工作日早上9点', cron: '0 9 * * 1-5', desc: '工作日 09:00', first: '2026-11-30 09:00' },
  { input: '每月15号上午10点', cron: '0 10 15 * *', desc: '每月15日 10:00', first: '2026-12-15 10:00' },
  { input: 'every day 9am', cron: '0 9 * * *', desc: '每天 09:00', first: '2026-11-28 09:00' },
  { input: 'every monday 9:00', cron: '0 9 * * 1', desc: '每周一 09:00', first: '2026-11-30 09:00' },
  { input: 'weekdays 6pm', cron: '0 18 * * 1-5', desc: '工作日 18:00', first: '2026-11-27 18:00' },
  { input: '每周一、三、五 9:00', cron: '0 9 * * 1,3,5', desc: '每周一、三、五 09:00', first: '2026-11-30 09:00' },
  { input: '每周日', cron: '0 9 * * 0', desc: '每周日 09:00', first: '2026-11-29 09:00' },
  { input: '每天早上9点 打卡', cron: '0 9 * * *', desc: '每天 09:00', first: '2026-11-28 09:00', rest: '打卡' },
  // failures
  { input: '2020-01-01 10:00', reason: 'past' },
  { input: '今天早上1点', reason: 'past' },
  { input: '本周三 10:00', reason: 'past' },
  { input: '昨天下午3点', reason: 'past' },
  { input: '11月27日 9:00', reason: 'past' }, // today's date with a passed time does not roll a year
  { input: '13月45日 10:00', reason: 'invalid' },
  { input: '明天25点', reason: 'invalid' },
  { input: '明天下午3点70分', reason: 'invalid' },
  { input: '2026-02-30 10:00', reason: 'invalid' },
  { input: '25:00', reason: 'invalid' },
  { input: '上午15点', reason: 'invalid' },
  { input: '每月32号', reason: 'invalid' },
  { input: '随便什么时候', reason: 'none' },
  { input: 'hello', reason: 'none' },
  { input: '', reason: 'none' },
  { input: '我有两点意见', reason: 'none' },
  { input: '工作日志', reason: 'none' },
  { input: '去1号楼开会', reason: 'none' },
  // the zone is honoured: same instant, New York wall clock (Thursday 21:00)
  { input: '明天上午9点', at: '2026-11-27 09:00', zone: NY },
  { input: '今天下午3点', reason: 'past', zone: NY },
  { input: '下午3点', at: '2026-11-27 15:00', zone: NY },
  { input: '周五', at: '2026-11-27 09:00', zone: NY },
  { input: '30分钟后', at: '2026-11-26 21:30', zone: NY },
  { input: '每天 9:00', cron: '0 9 * * *', desc: '每天 09:00', first: '2026-11-27 09:00', zone: NY },
  // across the US spring-forward (2026-03-08): wall-clock time is kept
  { input: '明天上午9点', iso: '2026-03-08T13:00:00.000Z', zone: NY, now: '2026-03-07T12:00:00-05:00' },
  { input: '1天后', at: '2026-03-08 12:00', zone: NY, now: '2026-03-07T12:00:00-05:00' },
];

describe('parseTime', () => {
  it('has a table of at least 50 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(50);
  });

  it.each(rows)('$input ($zone)', (row) => {
    const zone = row.zone ?? SH;
    const opts: ParseOptions = { now: row.now ? new Date(row.now) : NOW, timeZone: zone };
    const r = parseTime(row.input, opts);
    if (row.reason) {
      expect(r).toMatchObject({ ok: false, reason: row.reason });
      if (!r.ok) expect(r.message).toMatch(/\S/);
      return;
    }
    if (row.cron) {
      if (!r.ok || r.kind !== 'recurring') throw new Error(`expected recurring, got ${JSON.stringify(r)}`);
      expect(r.cron).toBe(row.cron);
      expect(r.description).toBe(row.desc);
      expect(formatDateTime(r.firstAt, zone)).toBe(row.first);
    } else {
      if (!r.ok || r.kind !== 'once') throw new Error(`expected once, got ${JSON.stringify(r)}`);
      if (row.at) expect(formatDateTime(r.at, zone)).toBe(row.at);
      if (row.iso) expect(r.at.toISOString()).toBe(row.iso);
    }
    if (row.rest !== undefined) expect(r.rest).toBe(row.rest);
  });

  it('reports the matched text and Chinese messages', () => {
    expect(parseTime('明天下午3点开会', { now: NOW, timeZone: SH })).toMatchObject({ matched: '明天下午3点' });
    expect(parseTime('2026-11-27 09:00', { now: NOW, timeZone: SH })).toMatchObject({
      reason: 'past', message: '时间已过去：2026-11-27 09:00 早于现在', matched: '2026-11-27 09:00',
    });
    expect(parseTime('xxx', { now: NOW, timeZone: SH })).toMatchObject({
      reason: 'none', message: '无法识别时间"xxx"，例如：30分钟后、明天下午3点、周五 14:00、12月24日 19:30、每天早上9点',
    });
    expect(parseTime('明天25点', { now: NOW, timeZone: SH })).toMatchObject({ reason: 'invalid', matched: '明天25点' });
  });
});

interface RangeRow { input: string; start?: string; end?: string | null; reason?: 'none' | 'past' | 'invalid'; rest?: string }

const rangeRows: RangeRow[] = [
  { input: '明天下午3点~5点', start: '2026-11-28 15:00', end: '2026-11-28 17:00' },
  { input: '12月24日 19:30-21:00', start: '2026-12-24 19:30', end: '2026-12-24 21:00' },
  { input: '明天 9:00 到 后天 17:00', start: '2026-11-28 09:00', end: '2026-11-29 17:00' },
  { input: '明天上午10点至11点半', start: '2026-11-28 10:00', end: '2026-11-28 11:30' },
  { input: '明天下午3点～下午5点', start: '2026-11-28 15:00', end: '2026-11-28 17:00' },
  { input: '明天晚上8点到10点', start: '2026-11-28 20:00', end: '2026-11-28 22:00' },
  { input: '周五 14:00—16:00 项目会', start: '2026-11-27 14:00', end: '2026-11-27 16:00', rest: '项目会' },
  { input: 'tomorrow 3pm-5pm', start: '2026-11-28 15:00', end: '2026-11-28 17:00' },
  { input: '明天下午3点 评审会', start: '2026-11-28 15:00', end: null, rest: '评审会' },
  { input: '明天3点到会议室', start: '2026-11-28 03:00', end: null, rest: '到会议室' },
  { input: '明天下午5点~3点', reason: 'invalid' },
  { input: '明天 9:00 - 明天 8:00', reason: 'invalid' },
  { input: '明天下午3点~25点', reason: 'invalid' },
  { input: '每天9点~10点', reason: 'invalid' },
  { input: '2020-01-01 10:00~11:00', reason: 'past' },
  { input: 'hello', reason: 'none' },
];

describe('parseTimeRange', () => {
  it.each(rangeRows)('$input', (row) => {
    const r = parseTimeRange(row.input, { now: NOW, timeZone: SH });
    if (row.reason) {
      expect(r).toMatchObject({ ok: false, reason: row.reason });
      return;
    }
    if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r)}`);
    expect(formatDateTime(r.start, SH)).toBe(row.start);
    expect(r.end === null ? null : formatDateTime(r.end, SH)).toBe(row.end);
    expect(r.rest).toBe(row.rest ?? '');
  });
});

describe('formatDateTime', () => {
  it('formats in the given zone, not the machine zone', () => {
    expect(formatDateTime(NOW, SH)).toBe('2026-11-27 10:00');
    expect(formatDateTime(NOW, NY)).toBe('2026-11-26 21:00');
    expect(formatDateTime(NOW, 'UTC')).toBe('2026-11-27 02:00');
  });
});
