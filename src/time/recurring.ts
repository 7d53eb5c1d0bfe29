/** Repeating times ("每天早上9点", "工作日 18:00", "每月15号"): a cron pattern, a label and the first occurrence. */
import type { Freq, RecurringHit } from './grammar-types.js';
import { InvalidTime, clockPlan } from './resolve-clock.js';
import type { Translator } from '../i18n/translator.js';
import type { Ctx } from './resolve.js';
import { addDays, isoWeekday, toInstant, type CivilDate } from './zoned.js';

const CN_DOW = ['日', '一', '二', '三', '四', '五', '六'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Cron day fields, a label and a matcher for finding the first occurrence. */
function freqFields(freq: Freq): { dom: string; dow: string; label: string; matches: (d: CivilDate) => boolean } {
  switch (freq.type) {
    case 'daily':
      return { dom: '*', dow: '*', label: '每天', matches: () => true };
    case 'workdays':
      return { dom: '*', dow: '1-5', label: '工作日', matches: (d) => isoWeekday(d) <= 5 };
    case 'weekly': {
      const days = [...new Set(freq.days)];
      const mondayFirst = [...days].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
      return {
        dom: '*',
        dow: [...days].sort((a, b) => a - b).join(','),
        label: `每周${mondayFirst.map((d) => CN_DOW[d]).join('、')}`,
        matches: (d) => days.includes(isoWeekday(d) % 7),
      };
    }
    case 'monthly':
      if (!(Number.isInteger(freq.dom) && freq.dom >= 1 && freq.dom <= 31)) throw new InvalidTime('monthlyDay');
      return { dom: String(freq.dom), dow: '*', label: `每月${freq.dom}日`, matches: (d) => d.d === freq.dom };
  }
}

export function describeFreq(hit: RecurringHit, ctx: Ctx): { cron: string; description: string; firstAt: Date } {
  const plan = clockPlan(hit.tod, undefined, false);
  // "每天3点" every night at three or every afternoon? Too costly to guess for a repeat: ask to say which.
  if (plan.kind === 'bare' && plan.small) throw new InvalidTime('halfOfDay', { hour: plan.am.h });
  const clock = plan.kind === 'bare' ? plan.am : plan.r;
  // Midnight "at the end of" a weekday is the next weekday; rather than shift days silently, ask.
  if (clock.shift && hit.freq.type !== 'daily') throw new InvalidTime('recurringMidnight');
  const { h, m } = clock;
  const { dom, dow, label, matches } = freqFields(hit.freq);
  let firstAt: Date | undefined;
  for (let i = 0; i < 400 && !firstAt; i++) {
    const d = addDays(ctx.today, i);
    const at = matches(d) ? toInstant(d, h, m, ctx.zone) : undefined;
    if (at && at.getTime() > ctx.now.getTime()) firstAt = at;
  }
  if (!firstAt) throw new InvalidTime('noOccurrence');
  return { cron: `${m} ${h} ${dom} * ${dow}`, description: `${label} ${pad2(h)}:${pad2(m)}`, firstAt };
}

/** Weekday catalogue keys by cron day number (0 = Sunday). */
const DOW_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * A repeat written in the reader's language, from its cron pattern (`m h dom * dow`, as
 * describeFreq builds it): "every Monday 09:00" / "每周一 09:00". The stored Chinese label is not
 * shown, so a reminder set in one language reads right in any other.
 */
export function describeRule(cron: string, t: Translator): string {
  const [m = '0', h = '0', dom = '*', , dow = '*'] = cron.split(' ');
  const hm = `${pad2(Number(h))}:${pad2(Number(m))}`;
  if (dom !== '*') return t.t('time.repeat.monthly', { dom, hm });
  if (dow === '*') return t.t('time.repeat.daily', { hm });
  if (dow === '1-5') return t.t('time.repeat.workdays', { hm });
  const days = dow.split(',').map(Number).sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
  return t.t('time.repeat.weekly', { days: days.map((d) => t.t(`time.repeat.day.${DOW_KEYS[d]}`)), hm });
}
