/**
 * Prepared statements reused on SQLite. Prisma's better-sqlite3 adapter prepares every statement
 * anew (`db.prepare(sql).bind(args)`), although an app runs the same few hundred SQL texts over
 * and over. This wraps its connection's `prepare` with a cache keyed by SQL text; since a
 * better-sqlite3 statement can be bound only once, the cached statement gets its arguments at
 * each run instead, through a view with the methods the adapter uses (`run`, `reader`, `columns`,
 * `raw().all`). better-sqlite3 runs a statement to completion synchronously, so one statement is
 * never in use twice at a time.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';

/** Distinct SQL texts kept (the app has a few hundred; a burst of ad hoc ones must not grow it forever). */
const MAX_STATEMENTS = 2000;

class BoundView {
  constructor(
    private readonly statement: Statement,
    private readonly args: unknown[],
  ) {}

  get reader(): boolean {
    return this.statement.reader;
  }

  run() {
    return this.statement.run(...this.args);
  }

  columns() {
    return this.statement.columns();
  }

  raw() {
    const statement = this.statement.raw(true);
    return { all: () => statement.all(...this.args) };
  }
}

function cacheStatements(db: Database): (sql: string) => Statement {
  const prepare = db.prepare.bind(db);
  const statements = new Map<string, Statement>();
  const cached = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = prepare(sql);
      if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value!);
      statements.set(sql, statement);
    }
    return statement;
  };
  // The adapter calls `prepare(sql).bind(args)` and `prepare('BEGIN').run()`.
  (db as { prepare: unknown }).prepare = (sql: string) => {
    const statement = cached(sql);
    return { bind: (args: unknown[]) => new BoundView(statement, args), run: () => statement.run() };
  };
  return prepare;
}

/** The connection a factory opened and its own `prepare`, for the few statements run without the ORM (sqlite-direct.ts). */
export interface CachedConnection {
  db: Database;
  prepare: (sql: string) => Statement;
}

/** HUIWU_SQLITE_SYNC: when a commit reaches the disk (docs/database.md). */
export type SqliteSync = 'normal' | 'full';

export type StatementCachingFactory = SqlDriverAdapterFactory & { readonly connection: CachedConnection | null };

/** The adapter factory with statement reuse on each connection it opens; `connection` is the latest one. `sync`: HUIWU_SQLITE_SYNC. */
export function withStatementCache(factory: PrismaBetterSqlite3, sync: SqliteSync = 'normal'): StatementCachingFactory {
  let connection: CachedConnection | null = null;
  return {
    get connection() {
      return connection;
    },
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const adapter = await factory.connect();
      // The adapter keeps its better-sqlite3 connection as `client` (adapter-better-sqlite3 7.x).
      const client = (adapter as unknown as { client?: Database }).client;
      if (!client || typeof client.prepare !== 'function') throw new Error('unexpected better-sqlite3 adapter shape: no statement cache');
      // Per connection (not stored in the file). In WAL mode `normal` still never corrupts the database.
      client.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
      connection = { db: client, prepare: cacheStatements(client) };
      return adapter;
    },
  };
}
