/** Table tests of money parsing, the line formula, the variance and threshold rules, tax rounding and the supplier score. */
import { describe, expect, it } from 'vitest';
import { formatDeviation, formatFen, parseMoney, parseTaxRate, taxIncluded } from '../../src/money.js';
import { parseFormula } from '../../src/services/budget-input.js';
import { costDeviationOf, deviation, isDrifting, isOver, lineFigures } from '../../src/services/budget-math.js';
import { previousQuarter, quarterOf, quarterRange, scoreOf } from '../../src/services/supplier-score.js';
import { UsageError } from '../../src/errors.js';

describe('money', () => {
  it.each([
    ['80元', 8000],
    ['80', 8000],
    ['¥80', 8000],
    ['￥80.5', 8050],
    ['80 yuan', 8000],
    ['80块', 8000],
    ['12,800.50', 1280050],
    ['12,800.50元', 1280050],
    ['1.5万', 1500000],
    ['2万元', 2000000],
    ['1.2345万', 1234500],
    ['1.23456万', 1234560],
    ['3k', 300000],
    ['0.01', 1],
    ['20,000,000', 2000000000],
  ])('reads %s as %i fen', (text, fen) => {
    expect(parseMoney(text)).toEqual({ ok: true, fen });
  });

  it.each([
    ['-80', 'negative'],
    ['¥-80', 'negative'],
    ['80.123', 'decimals'],
    ['1.2345678万', 'decimals'], // 12345.678 yuan
    ['0', 'zero'],
    ['0.00元', 'zero'],
    ['12,80', 'format'],
    ['1,2800', 'format'],
    ['八十元', 'format'],
    ['80元x', 'format'],
    ['abc', 'format'],
    ['1.2.3', 'format'],
    ['20,000,000.01', 'too-large'],
    ['9999999999999', 'too-large'],
  ])('refuses %s (%s)', (text, problem) => {
    expect(parseMoney(text)).toEqual({ ok: false, problem });
  });

  it('formats fen with thousands and two decimals', () => {
    expect(formatFen(1234500)).toBe('¥12,345.00');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(-32000)).toBe('-¥320.00');
    expect(formatFen(0)).toBe('¥0.00');
  });

  it.each([
    ['6%', 600],
    ['13', 1300],
    ['6.5%', 650],
    ['0%', 0],
    ['101%', null],
    ['6.555%', null],
    ['abc', null],
  ])('reads the tax rate %s as %s', (text, bp) => {
    expect(parseTaxRate(text)).toBe(bp);
  });

  it.each([
    // gross, rate, tax: gross × r / (1 + r) rounded half up to the fen
    [1280000, 600, 72453], // 12800 × 0.06 / 1.06 = 724.528…
    [10600, 600, 600],
    [1, 600, 0],
    [9, 600, 1], // 0.509… fen rounds up
    [100, 0, 0],
  ])('tax included in %i fen at %i bp is %i fen', (gross, bp, tax) => {
    expect(taxIncluded(gross, bp)).toBe(tax);
  });
});

describe('line formula', () => {
  it.each([
    ['80元 x 参加人数 x 2天', { unitPrice: 8000, quantity: null, link: 'confirmed', days: 2 }],
    ['80元x参加人数(50)x2天', { unitPrice: 8000, quantity: 50, link: 'confirmed', days: 2 }],
    ['80 yuan x attending(50) x 2 days', { unitPrice: 8000, quantity: 50, link: 'confirmed', days: 2 }],
    ['450元 × 间夜', { unitPrice: 45000, quantity: null, link: 'rooms', days: 1 }],
    ['2万', { unitPrice: 2000000, quantity: 1, link: null, days: 1 }],
    ['120 * 30人 * 3天', { unitPrice: 12000, quantity: 30, link: null, days: 3 }],
    ['60元 x 素食人数（5）', { unitPrice: 6000, quantity: 5, link: 'meals:vegetarian', days: 1 }],
  ])('reads %s', (text, formula) => {
    expect(parseFormula(text)).toEqual(formula);
  });

  it.each([
    ['80元x', 'E_BUDGET_FACTOR_EMPTY'],
    ['80元 x', 'E_BUDGET_FACTOR_EMPTY'],
    ['-80元 x 3', 'E_BUDGET_AMOUNT_INVALID'],
    ['80元 x 3 x 4', 'E_BUDGET_FACTOR_TWICE'],
    ['80元 x 2天 x 3天', 'E_BUDGET_FACTOR_TWICE'],
    ['80元 x 香蕉', 'E_BUDGET_FACTOR_UNKNOWN'],
    ['80元 x 90元', 'E_BUDGET_FACTOR_UNKNOWN'],
    ['80元 x 0', 'E_BUDGET_QUANTITY_INVALID'],
    ['80元 x 0天', 'E_BUDGET_DAYS_INVALID'],
    ['', 'E_BUDGET_PRICE_MISSING'],
  ])('refuses %s with %s', (text, code) => {
    expect(() => parseFormula(text)).toThrow(UsageError);
    try {
      parseFormula(text);
    } catch (error) {
      expect((error as UsageError).code).toBe(code);
    }
  });
});

describe('variance', () => {
  const stats = { yes: 22, arrived: 10, meals: { none: 18, vegetarian: 4 }, roomsByNight: [5, 3] };
  const line = (over: Partial<Parameters<typeof lineFigures>[0]> = {}) => ({ id: 1, no: 1, category: 'catering', item: 'x', supplierId: null, unitPrice: 8000, quantity: 20, link: null, days: 2, contractAmount: null, ...over });

  it('computes approved, forecast and actual in fen, a linked line following the live count', () => {
    const fixed = lineFigures(line(), [{ lineId: 1, amount: 330000, status: 'active' }, { lineId: 1, amount: 5, status: 'void' }, { lineId: 2, amount: 9, status: 'active' }], stats);
    expect(fixed).toMatchObject({ approved: 320000, forecast: 320000, actual: 330000, expenses: 1, liveQuantity: 20 });
    expect(lineFigures(line({ link: 'confirmed' }), [], stats)).toMatchObject({ approved: 320000, forecast: 352000, liveQuantity: 22 });
    expect(lineFigures(line({ link: 'rooms', unitPrice: 45000, days: 1, quantity: 10 }), [], stats)).toMatchObject({ forecast: 360000 });
    expect(lineFigures(line({ link: 'meals:vegetarian' }), [], stats).liveQuantity).toBe(4);
    expect(lineFigures(line({ link: 'checked-in' }), [], stats).liveQuantity).toBe(10);
  });

  it.each([
    // approved, value, over 5%, drifting beyond 3%, deviation text
    [320000, 336000, false, true, '+5.0%'], // exactly +5%: not "more than"
    [320000, 336001, true, true, '+5.0%'],
    [320000, 352000, true, true, '+10.0%'],
    [320000, 329600, false, false, '+3.0%'], // exactly 3%: not beyond
    [320000, 310000, false, true, '-3.1%'],
    [320000, 320000, false, false, '0.0%'],
    [0, 0, false, false, '0.0%'],
    [0, 1, true, true, '—'], // anything above a zero budget
    [3, 4, true, true, '+33.3%'],
    [2000, 2001, false, false, '+0.1%'], // 0.05% rounds half away from zero
  ])('approved %i vs %i: over %s, drifting %s, %s', (approved, value, over, drifting, text) => {
    expect(isOver(approved, value, 0.05)).toBe(over);
    expect(isDrifting(approved, value, 0.03)).toBe(drifting);
    expect(formatDeviation(deviation(approved, value))).toBe(text);
  });

  it('gives the meeting deviation with zero budgets and completeness', () => {
    expect(costDeviationOf([], false)).toMatchObject({ approved: 0, forecastDeviation: 0, actualDeviation: 0, complete: false });
    const a = lineFigures(line(), [{ lineId: 1, amount: 300000, status: 'active' }], stats);
    const b = lineFigures(line({ id: 2, unitPrice: 1000, quantity: 1, days: 1 }), [], stats);
    const cost = costDeviationOf([a, b], false);
    expect(cost).toMatchObject({ approved: 321000, forecast: 321000, actual: 300000, complete: false });
    expect(cost.actualDeviation).toBeCloseTo(-21000 / 321000);
  });
});

describe('supplier score', () => {
  it('gives full marks without trouble, leaving parts without data out', () => {
    expect(scoreOf({ incidents: [], tasks: { due: 0, onTime: 0 }, rating: null, cost: null })).toMatchObject({ score: 100, grade: 'A' });
    const card = scoreOf({ incidents: [], tasks: { due: 4, onTime: 3 }, rating: 4.5, cost: { approved: 100000, actual: 103000 } });
    // 30 + 15 + 21.9 + 15 of 90
    expect(card.parts.map((p) => [p.key, p.earned, p.counted])).toEqual([
      ['incidents', 30, true],
      ['response', 0, false],
      ['tasks', 15, true],
      ['ratings', 21.9, true],
      ['cost', 15, true],
    ]);
    expect(card).toMatchObject({ score: 91, grade: 'A' });
  });

  it.each([
    // a P1 never acknowledged and catering rated 2/5: 15 + 0 + 6.3 of 65
    [{ incidents: [{ severity: 1, complaint: false, ackMinutes: null }], tasks: { due: 0, onTime: 0 }, rating: 2, cost: null }, 33, 'D'],
    // a P2 complaint acknowledged in 5 minutes, ratings 4, cost 15% over: 20 + 10 + 18.8 + 7.5 of 80
    [{ incidents: [{ severity: 2, complaint: true, ackMinutes: 5 }], tasks: { due: 0, onTime: 0 }, rating: 4, cost: { approved: 100000, actual: 115000 } }, 70, 'B'],
    // two P3 acknowledged in 32.5 min on average, half the tasks late, rating 3: 22 + 5 + 10 + 12.5 of 85
    [{ incidents: [{ severity: 3, complaint: false, ackMinutes: 20 }, { severity: 3, complaint: false, ackMinutes: 45 }], tasks: { due: 2, onTime: 1 }, rating: 3, cost: null }, 58, 'C'],
    // many incidents: the part stops at 0; 25% over budget: 0
    [{ incidents: [1, 1, 1].map(() => ({ severity: 1, complaint: true, ackMinutes: 90 })), tasks: { due: 0, onTime: 0 }, rating: null, cost: { approved: 100, actual: 125 } }, 0, 'D'],
  ])('scores %j as %i (%s)', (input, score, grade) => {
    expect(scoreOf(input)).toMatchObject({ score, grade });
  });

  it('knows quarters in the configured zone', () => {
    expect(quarterOf(new Date('2026-09-30T16:30:00Z'), 'Asia/Shanghai')).toBe('2026Q4');
    expect(quarterOf(new Date('2026-09-30T15:30:00Z'), 'Asia/Shanghai')).toBe('2026Q3');
    expect(quarterRange('2026Q4', 'Asia/Shanghai')).toEqual({ from: new Date('2026-09-30T16:00:00Z'), to: new Date('2026-12-31T16:00:00Z') });
    expect(quarterRange('2026Q5', 'Asia/Shanghai')).toBeNull();
    expect(previousQuarter('2026Q1')).toBe('2025Q4');
  });
});
