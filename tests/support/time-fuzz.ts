/**
 * Random time-ish strings for the parser's fuzz test and benchmark: fragments of real expressions
 * (numbers, units, day words, separators, Traditional and full-width forms) mixed with noise.
 * Seeded, so a failure can be replayed.
 */
const FRAGMENTS = [
  '0', '1', '2', '3', '5', '7', '8', '9', '10', '12', '13', '23', '24', '25', '29', '30', '31', '32', '59', '60', '99', '100', '2026', '0099', '2099',
  '100000000', '1.5', '.', ':', '：', '/', '-', '~', '～', 'ー', '—', '至', '到', ' ', '  ', ',', '，',
  '一', '二', '两', '三', '五', '十', '十二', '二十', '廿', '卅', '百', '千', '万', '零', '半',
  '点', '點', '点半', '时', '分', '分钟', '秒', '刻', '刻钟', '钟', '个', '個', '小时', '钟头', '天', '日', '号', '號', '周', '週', '星期', '礼拜', '禮拜', '月', '年',
  '后', '後', '前', '内', '以内', '之前', '以后', '过', '过后', '再', '左右', '整', '正',
  '今天', '明天', '后天', '大后天', '昨天', '前天', '今晚', '明早', '昨晚', '聽日', '後日', '下', '上', '本', '这', '下下', '每', '第', '末', '底', '初',
  '凌晨', '早上', '上午', '中午', '下午', '傍晚', '晚上', '夜里', '半夜', '午夜',
  'in ', 'at ', 'by ', 'within ', 'after ', 'ago', 'later', 'from now', 'tomorrow', 'today', 'tonight', 'next ', 'this ', 'last ', 'week', 'weekend',
  'monday', 'fri', 'Dec', 'December', 'may', 'noon', 'midnight', 'morning', 'afternoon', 'am', 'pm', "o'clock", 'h', 'm', 'd', 'w', 'mo', 'y', 's',
  'an', 'a', 'half', 'hours', 'minutes', 'days', 'weeks', 'months', 'years', 'and', 'th', 'st', 'T',
  '喝水', '开会', '提醒', '会议室', '1号楼', 'x', '😀', '\u3000', '\n', '１', '３', '０', '\uFF1A',
];

/** mulberry32: a small seeded generator. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One random input of 1-8 fragments, sometimes with a random character. */
export function fuzzInput(next: () => number): string {
  const n = 1 + Math.floor(next() * 8);
  let s = '';
  for (let i = 0; i < n; i++) {
    s += next() < 0.05 ? String.fromCharCode(Math.floor(next() * 0x3000)) : FRAGMENTS[Math.floor(next() * FRAGMENTS.length)];
  }
  return s;
}

/** Realistic expressions for timing (what people type), as opposed to the fuzz noise. */
export const TYPICAL = [
  '明天下午3点 开会', '30分钟后 喝水', '下周一上午9:30 周会', '12月24日 19:30 年会', '每天早上9点 打卡', '後天下午3點 交報告', 'tomorrow at 3pm call',
  'in 1h30m standup', '五日内 提交材料', '晚上11点~凌晨2点 值班', '8点 喝水', '下个月1号 交房租', 'Dec 24th 7:30pm party', '这周末 聚餐', '提醒 随便什么时候',
  '2026-12-24 19:30 晚宴', '年底前 完成总结', '一个半小时后 出发', 'noon tomorrow lunch', '05/06 体检',
];
