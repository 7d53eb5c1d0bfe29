/**
 * Incident figures for the review (复盘) and the meeting summary: counts by type and severity and
 * the mean times to acknowledge and resolve, read from `createdAt`, `ackedAt` and `resolvedAt`.
 * Kept apart from the incident lifecycle because it only reads rows and changes nothing.
 */
import type { PrismaClient } from '../db/client.js';

export interface IncidentFigures {
  total: number;
  open: number;
  byType: Record<string, number>;
  bySeverity: Record<string, number>;
  meanAckMs: number | null;
  meanResolveMs: number | null;
}

/** `1分05秒`, `2小时3分`: durations in reviews and figures. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}秒`;
  if (s < 3600) return `${Math.floor(s / 60)}分${String(s % 60).padStart(2, '0')}秒`;
  return `${Math.floor(s / 3600)}小时${Math.floor((s % 3600) / 60)}分`;
}

export async function incidentFigures(db: PrismaClient, meetingId: number): Promise<IncidentFigures> {
  const rows = await db.incident.findMany({ where: { meetingId } });
  const byType: Record<string, number> = {};
  const bySeverity: Record<string, number> = {};
  for (const r of rows) {
    byType[r.type] = (byType[r.type] ?? 0) + 1;
    bySeverity[`P${r.severity}`] = (bySeverity[`P${r.severity}`] ?? 0) + 1;
  }
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
  return {
    total: rows.length,
    open: rows.filter((r) => r.status !== 'resolved').length,
    byType,
    bySeverity,
    meanAckMs: mean(rows.filter((r) => r.ackedAt).map((r) => r.ackedAt!.getTime() - r.createdAt.getTime())),
    meanResolveMs: mean(rows.filter((r) => r.resolvedAt).map((r) => r.resolvedAt!.getTime() - r.createdAt.getTime())),
  };
}
