/**
 * The budget's arithmetic, pure and in integer fen: a line's approved, forecast and actual amounts,
 * variances, the alert thresholds, and the meeting's cost deviation. Shared by the budget service,
 * the supplier scorecards and the meeting's status card (which shows the cost-deviation KPI).
 */
import type { MeetingStats } from '../../cards/meeting-cards.js';

export { formatDeviation } from '../money.js';

export const CATEGORIES = ['venue', 'catering', 'lodging', 'transport', 'equipment', 'materials', 'staff', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Live counts a line's quantity can follow. `meals:<dietary>` counts confirmed attendees by meal type. */
export const LINKS = ['confirmed', 'checked-in', 'rooms', 'meals:none', 'meals:vegetarian', 'meals:halal', 'meals:other'] as const;
export type Link = (typeof LINKS)[number];

/** A line above its approved amount by more than this raises an alert. */
export const LINE_OVER = 0.05;
/** The meeting's total forecast beyond ±3% is an early warning; its actual beyond ±5% an alert. */
export const FORECAST_DRIFT = 0.03;
export const ACTUAL_DRIFT = 0.05;

export interface LineInput {
  id: number;
  no: number;
  category: string;
  item: string;
  supplierId: number | null;
  unitPrice: number;
  quantity: number;
  link: string | null;
  days: number;
  contractAmount: number | null;
}

export interface ExpenseInput {
  lineId: number;
  amount: number;
  status: string;
}

export interface LineFigures {
  line: LineInput;
  /** The quantity the forecast uses: the live count for a linked line. */
  liveQuantity: number;
  approved: number;
  forecast: number;
  actual: number;
  /** Active expenses recorded against it. */
  expenses: number;
}

export interface Totals {
  approved: number;
  forecast: number;
  actual: number;
}

/** The live count a link follows. */
export function linkedCount(stats: Pick<MeetingStats, 'yes' | 'arrived' | 'meals' | 'roomsByNight'>, link: string): number {
  if (link === 'confirmed') return stats.yes;
  if (link === 'checked-in') return stats.arrived;
  if (link === 'rooms') return stats.roomsByNight.reduce((sum, n) => sum + n, 0);
  if (link.startsWith('meals:')) return stats.meals[link.slice('meals:'.length)] ?? 0;
  return 0;
}

export function lineFigures(line: LineInput, expenses: readonly ExpenseInput[], stats: Parameters<typeof linkedCount>[0]): LineFigures {
  const liveQuantity = line.link ? linkedCount(stats, line.link) : line.quantity;
  const own = expenses.filter((e) => e.lineId === line.id && e.status === 'active');
  return {
    line,
    liveQuantity,
    approved: line.unitPrice * line.quantity * line.days,
    forecast: line.unitPrice * liveQuantity * line.days,
    actual: own.reduce((sum, e) => sum + e.amount, 0),
    expenses: own.length,
  };
}

export function totals(lines: readonly Totals[]): Totals {
  return lines.reduce((t, l) => ({ approved: t.approved + l.approved, forecast: t.forecast + l.forecast, actual: t.actual + l.actual }), { approved: 0, forecast: 0, actual: 0 });
}

/** (value - approved) / approved; 0 when both are 0; null when nothing was approved but something is spent. */
export function deviation(approved: number, value: number): number | null {
  if (approved === 0) return value === 0 ? 0 : null;
  return (value - approved) / approved;
}

/** More than `limit` above the approved amount, decided in integers (no rounding at the edge); anything above a zero budget is over. */
export function isOver(approved: number, value: number, limit: number): boolean {
  const bp = Math.round(limit * 10_000);
  return (value - approved) * 10_000 > approved * bp;
}

/** Beyond ±`limit` of the approved amount. */
export function isDrifting(approved: number, value: number, limit: number): boolean {
  const bp = Math.round(limit * 10_000);
  return Math.abs(value - approved) * 10_000 > approved * bp;
}

/** The meeting's cost-deviation KPI: forecast and actual against approved (status card, console). */
export interface CostDeviation extends Totals {
  forecastDeviation: number | null;
  actualDeviation: number | null;
  /** Every line has at least one expense: the actual is complete. */
  complete: boolean;
  settled: boolean;
}

export function costDeviationOf(figures: readonly LineFigures[], settled: boolean): CostDeviation {
  const t = totals(figures);
  return {
    ...t,
    forecastDeviation: deviation(t.approved, t.forecast),
    actualDeviation: deviation(t.approved, t.actual),
    complete: figures.length > 0 && figures.every((f) => f.expenses > 0),
    settled,
  };
}
