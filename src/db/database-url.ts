/** Which database a `DATABASE_URL` names: SQLite (`file:`) or PostgreSQL (`postgresql://`, `postgres://`). */
export type DatabaseKind = 'sqlite' | 'postgresql';

export function databaseKind(databaseUrl: string): DatabaseKind {
  return /^postgres(ql)?:\/\//.test(databaseUrl.trim()) ? 'postgresql' : 'sqlite';
}

/** A URL safe to print: the password replaced. */
export function displayDatabaseUrl(databaseUrl: string): string {
  return databaseUrl.replace(/^(postgres(?:ql)?:\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
