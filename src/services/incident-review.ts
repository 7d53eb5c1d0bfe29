/**
 * Incident figures for the review (复盘) and the meeting summary: counts by type and severity and
 * the mean times to acknowledge and resolve, read from `createdAt`, `ackedAt` and `resolvedAt`.
 * Kept apart from the incident lifecycle because it only reads rows and changes nothing.
 */
import type { PrismaClient } from '../db/client.js';

export { formatDuration } from '../../cards/incident-labels.js';

export interface IncidentFigures {
  total: number;
  open: number;
  /** Stored type → count, in order of first appearance. */
  byType: ReadonlyMap<string, number>;
  /** Severity (1..4) → count, most severe first. */
  bySeverity: ReadonlyMap<number, number>;
  meanAckMs: number | null;
  meanResolveMs: number | null;
}

export async function incidentFigures(db: PrismaClient, meetingId: number): Promise<IncidentFigures> {
  const rows = await db.incident.findMany({ where: { meetingId }, orderBy: { id: 'asc' } });
  const byType = new Map<string, number>();
  const bySeverity = new Map<number, number>();
  for (const r of rows) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  for (const r of [...rows].sort((a, b) => a.severity - b.severity)) bySeverity.set(r.severity, (bySeverity.get(r.severity) ?? 0) + 1);
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
