/** Which database a `DATABASE_URL` names: SQLite (`file:`) or PostgreSQL (`postgresql://`, `postgres://`). */
export type DatabaseKind = 'sqlite' | 'postgresql';

export function databaseKind(databaseUrl: string): DatabaseKind {
  return /^postgres(ql)?:\/\//.test(databaseUrl.trim()) ? 'postgresql' : 'sqlite';
}

/** A URL safe to print: the password replaced. */
export function displayDatabaseUrl(databaseUrl: string): string {
  return databaseUrl.replace(/^(postgres(?:ql)?:\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/** The PostgreSQL `application_name` of the app's connections (a restore refuses while one is open). */
export const HUIWU_APPLICATION_NAME = 'huiwu';
