/** The fault suite's result table: one row per scenario, printed once at the end. */
export interface FaultRow {
  scenario: string;
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
}

/** Counts per expected item (reminder text, invitee, command): delivered once, lost, or more. */
export function tally(scenario: string, expectedKeys: readonly string[], deliveredKeys: readonly string[]): FaultRow {
  const counts = new Map<string, number>();
  for (const key of deliveredKeys) counts.set(key, (counts.get(key) ?? 0) + 1);
  const delivered = expectedKeys.filter((k) => (counts.get(k) ?? 0) > 0).length;
  const duplicated = [...counts.entries()].reduce((sum, [key, n]) => sum + (expectedKeys.includes(key) ? n - 1 : n), 0);
  return { scenario, expected: expectedKeys.length, delivered, lost: expectedKeys.length - delivered, duplicated };
}

export function formatTable(rows: readonly FaultRow[]): string {
  const header = ['scenario', 'expected', 'delivered', 'lost', 'duplicated'];
  const cells = rows.map((r) => [r.scenario, String(r.expected), String(r.delivered), String(r.lost), String(r.duplicated)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...cells.map(line)].join('\n');
}
