/**
 * The few statements every message sent or received runs (store a message, read it to send,
 * mark it sent, de-duplicate an event, store a card) executed on Prisma's own SQLite connection
 * without the ORM. Through Prisma each costs ~0.3-0.5 ms of CPU in its query planner and result
 * mapping against ~0.02-0.05 ms for the prepared statement itself; on the send path that was
 * the largest share of the CPU profile (see docs/architecture.md, "Where the time goes").
 *
 * Only the repository functions that own these tables use it, each keeping its Prisma form for
 * PostgreSQL (and for a client that has not connected yet). The same connection matters: a
 * second one would wait on the lock of Prisma's open transaction while blocking the event loop.
 * Dates are written as Prisma writes them on SQLite (ISO text with `+00:00`), so both read
 * and compare alike.
 */
import type { Statement } from 'better-sqlite3';
import type { CachedConnection, StatementCachingFactory } from './sqlite-statements.js';

export interface SqliteDirect {
  /** Runs a write; returns the number of rows it changed. */
  run(sql: string, ...args: SqlValue[]): number;
  /** The first row of a read, or undefined. */
  get<T>(sql: string, ...args: SqlValue[]): T | undefined;
  /** Every row of a read. */
  all<T>(sql: string, ...args: SqlValue[]): T[];
  /** Runs `work`, which writes `statements` statements, atomically: in one transaction (a savepoint inside Prisma's open one) when there are several; one statement is atomic by itself. */
  atomically<T>(statements: number, work: () => T): T;
}

export type SqlValue = string | number | null;

const factories = new WeakMap<object, StatementCachingFactory>();

/** Called by createSqlitePrisma for its client (`client` is the PrismaClient; typed loosely to keep client.ts out of this module's imports). */
export function registerSqliteFactory(client: object, factory: StatementCachingFactory): void {
  factories.set(client, factory);
}

/** Direct statements on `client`'s SQLite connection; null on PostgreSQL or before the first query connected it. */
export function sqliteDirect(client: object): SqliteDirect | null {
  const connection = factories.get(client)?.connection;
  if (!connection) return null;
  let direct = opened.get(connection);
  if (!direct) opened.set(connection, (direct = open(connection)));
  return direct;
}

const opened = new WeakMap<CachedConnection, SqliteDirect>();

function open({ db, prepare }: CachedConnection): SqliteDirect {
  // Its own statements: the adapter reads integers as BigInt, these read them as numbers.
  const statements = new Map<string, Statement>();
  const statement = (sql: string): Statement => {
    let cached = statements.get(sql);
    if (!cached) statements.set(sql, (cached = prepare(sql).safeIntegers(false)));
    return cached;
  };
  return {
    run: (sql, ...args) => statement(sql).run(...args).changes,
    get: <T>(sql: string, ...args: SqlValue[]) => (statement(sql) as Statement<SqlValue[], T>).get(...args),
    all: <T>(sql: string, ...args: SqlValue[]) => (statement(sql) as Statement<SqlValue[], T>).all(...args),
    atomically: (statements, work) => (statements > 1 ? db.transaction(work)() : work()),
  };
}

/** A date as Prisma stores it in SQLite. */
export function sqliteDate(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/** A date read back directly: the text `sqliteDate` (and Prisma) wrote. */
export function dateFromSqlite(value: string): Date {
  return new Date(value);
}

/** A row as a direct read returns it: its dates as the stored text. */
export type RawDates<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };
