/**
 * Reads keyed by a long list of ids, in slices. Prisma refuses a query whose IN list together
 * with its other conditions exceeds the database's parameter limit (P2029): a department of
 * 1,500 invited at once did. Slices of 500 stay well inside it on SQLite and PostgreSQL.
 */
export const IN_SLICE = 500;

export async function findInSlices<K, R>(keys: readonly K[], find: (slice: K[]) => Promise<R[]>): Promise<R[]> {
  const rows: R[] = [];
  for (let i = 0; i < keys.length; i += IN_SLICE) rows.push(...(await find(keys.slice(i, i + IN_SLICE))));
  return rows;
}
