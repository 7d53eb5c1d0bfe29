/**
 * The supplier scorecard formula (documented in docs/budget.md), pure: five parts with weights,
 * a part without data left out of the denominator, the score 0-100 and its grade A-D.
 *
 *   incidents 30  30 - (P1 15, P2 8, P3 4, P4 2, +2 more for a complaint), not below 0
 *   response  10  mean minutes to acknowledge its incidents: 5 or less = 10, 60 or more (or never) = 0, linear between
 *   tasks     20  20 × share of its tasks finished by their due time
 *   ratings   25  25 × (average rating of the survey dimension it serves - 1) / 4
 *   cost      15  full up to 5% over budget on its lines, 0 at 25% over, linear between
 *
 *   score = round(100 × earned / weights of the parts that have data)
 */
import { wallClockOf, toInstant } from '../time/zoned.js';

export const WEIGHTS = { incidents: 30, response: 10, tasks: 20, ratings: 25, cost: 15 } as const;
export type PartKey = keyof typeof WEIGHTS;
export const SEVERITY_PENALTY: Record<number, number> = { 1: 15, 2: 8, 3: 4, 4: 2 };
export const COMPLAINT_PENALTY = 2;
export const GRADES = [
  { grade: 'A', min: 85 },
  { grade: 'B', min: 70 },
  { grade: 'C', min: 50 },
  { grade: 'D', min: 0 },
] as const;

export interface ScoreInputs {
  incidents: Array<{ severity: number; complaint: boolean; /** null: never acknowledged */ ackMinutes: number | null }>;
  tasks: { due: number; onTime: number };
  /** Average 1-5 of the mapped survey dimension; null without answers. */
  rating: number | null;
  /** Its lines with expenses: approved and actual fen; null without any. */
  cost: { approved: number; actual: number } | null;
}

export interface ScorePart {
  key: PartKey;
  /** Points earned, one decimal. */
  earned: number;
  weight: number;
  /** False: no data, left out of the score. */
  counted: boolean;
}

export interface Scorecard {
  score: number;
  grade: string;
  parts: ScorePart[];
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
const tenth = (n: number) => Math.round(n * 10) / 10;

export function gradeOf(score: number): string {
  return GRADES.find((g) => score >= g.min)!.grade;
}

export function scoreOf(input: ScoreInputs): Scorecard {
  const penalty = input.incidents.reduce((sum, i) => sum + (SEVERITY_PENALTY[i.severity] ?? 0) + (i.complaint ? COMPLAINT_PENALTY : 0), 0);
  const minutes = input.incidents.map((i) => i.ackMinutes ?? 60);
  const meanAck = minutes.length ? minutes.reduce((a, b) => a + b, 0) / minutes.length : null;
  const overrun = input.cost && input.cost.approved > 0 ? (input.cost.actual - input.cost.approved) / input.cost.approved : null;
  const raw: ScorePart[] = [
    { key: 'incidents', earned: Math.max(0, WEIGHTS.incidents - penalty), weight: WEIGHTS.incidents, counted: true },
    { key: 'response', earned: meanAck === null ? 0 : (WEIGHTS.response * clamp(60 - meanAck, 0, 55)) / 55, weight: WEIGHTS.response, counted: meanAck !== null },
    { key: 'tasks', earned: input.tasks.due ? (WEIGHTS.tasks * input.tasks.onTime) / input.tasks.due : 0, weight: WEIGHTS.tasks, counted: input.tasks.due > 0 },
    { key: 'ratings', earned: input.rating === null ? 0 : (WEIGHTS.ratings * (clamp(input.rating, 1, 5) - 1)) / 4, weight: WEIGHTS.ratings, counted: input.rating !== null },
    { key: 'cost', earned: overrun === null ? 0 : WEIGHTS.cost * clamp(1 - Math.max(0, overrun - 0.05) / 0.2, 0, 1), weight: WEIGHTS.cost, counted: overrun !== null },
  ];
  const parts = raw.map((p) => ({ ...p, earned: tenth(p.earned) }));
  const counted = parts.filter((p) => p.counted);
  const weight = counted.reduce((s, p) => s + p.weight, 0);
  const earned = counted.reduce((s, p) => s + p.earned, 0);
  const score = Math.round((100 * earned) / weight);
  return { score, grade: gradeOf(score), parts };
}

/** `2026Q4` of an instant in `zone`. */
export function quarterOf(at: Date, zone: string): string {
  const w = wallClockOf(at, zone);
  return `${w.y}Q${Math.floor((w.m - 1) / 3) + 1}`;
}

/** The start (inclusive) and end (exclusive) of a quarter `2026Q4` in `zone`; null for nonsense. */
export function quarterRange(quarter: string, zone: string): { from: Date; to: Date } | null {
  const m = /^(\d{4})Q([1-4])$/i.exec(quarter.trim());
  if (!m) return null;
  const y = Number(m[1]);
  const q = Number(m[2]);
  const from = toInstant({ y, m: (q - 1) * 3 + 1, d: 1 }, 0, 0, zone);
  const to = q === 4 ? toInstant({ y: y + 1, m: 1, d: 1 }, 0, 0, zone) : toInstant({ y, m: q * 3 + 1, d: 1 }, 0, 0, zone);
  return { from, to };
}

/** The quarter before `2026Q1` is `2025Q4`. */
export function previousQuarter(quarter: string): string {
  const m = /^(\d{4})Q([1-4])$/i.exec(quarter)!;
  const q = Number(m[2]);
  return q === 1 ? `${Number(m[1]) - 1}Q4` : `${m[1]}Q${q - 1}`;
}
