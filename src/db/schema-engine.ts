/**
 * Prisma's schema engine (migrations, diff) without the native binary download.
 *
 * `@prisma/schema-engine-wasm` is the same engine compiled to WebAssembly. Its entry module
 * imports a `.wasm` file, which Node 20 cannot import, so the module is instantiated here by
 * hand (see docs/database.md). The compiled module is cached per process; each engine gets
 * its own connection(s): SQLite through `@prisma/adapter-better-sqlite3`, PostgreSQL through
 * `@prisma/adapter-pg`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';

export type { SchemaEngine };

/** OIDs of PostgreSQL's one-byte `"char"` type and of `text`. */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/**
 * A pg pool for the schema engine only (the adapter queries through the pool). Describing a database reads catalog columns of type
 * `"char"` (pg_class.relkind, pg_constraint.contype ...), which @prisma/adapter-pg 7.10 cannot map
 * ("Column type 'char' could not be deserialized"); pg already returns them as strings, so they
 * are announced as text.
 */
class CatalogPool extends pg.Pool {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (!(result instanceof Promise)) return result;
    return result.then((res: pg.QueryResult) => {
      for (const field of res.fields ?? []) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
      return res;
    });
  }
}

let wasmReady: Promise<void> | undefined;

/** Instantiates the schema engine's WebAssembly module once per process. */
export function loadSchemaEngineWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    // The package's "exports" do not list the .wasm file; it sits next to schema_engine_bg.js.
    const bgJs = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(bgJs), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': bg as unknown as WebAssembly.ModuleImports,
    });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })().catch((err: unknown) => {
    wasmReady = undefined;
    throw err;
  });
  return wasmReady;
}

export interface OpenSchemaEngineOptions {
  /** Absolute path of the SQLite database file, or `:memory:` (or give `postgresUrl`). */
  sqliteFile?: string;
  /** A PostgreSQL connection URL instead of a SQLite file. */
  postgresUrl?: string;
  /** Prisma schema files `[fileName, content]` given to the engine (optional). */
  datamodels?: [string, string][];
  /** Receives the engine's log lines (JSON). */
  log?: (line: string) => void;
  /** SQLite busy timeout in ms for the engine's connections (default 5000). */
  busyTimeoutMs?: number;
}

export interface SchemaEngineHandle {
  engine: SchemaEngine;
  /** Frees the engine and closes every SQLite connection it opened. */
  close(): Promise<void>;
}

/**
 * Creates a schema engine bound to one SQLite file or PostgreSQL database. A SQLite engine's
 * shadow database (needed by `diff` from a migrations directory) is an in-memory database.
 */
export async function openSchemaEngine(opts: OpenSchemaEngineOptions): Promise<SchemaEngineHandle> {
  await loadSchemaEngineWasm();
  const pool = opts.postgresUrl ? new CatalogPool({ connectionString: opts.postgresUrl, max: 2 }) : undefined;
  // An idle connection dropped by the server (a restart) must not crash the process.
  pool?.on('error', (err) => opts.log?.(`postgres pool: ${err.message}`));
  const inner: SqlMigrationAwareDriverAdapterFactory = pool
    ? new PrismaPg(pool)
    : new PrismaBetterSqlite3({ url: opts.sqliteFile ?? ':memory:', timeout: opts.busyTimeoutMs ?? 5000 });
  const opened: SqlDriverAdapter[] = [];
  const track = async (p: Promise<SqlDriverAdapter>): Promise<SqlDriverAdapter> => {
    const adapter = await p;
    opened.push(adapter);
    return adapter;
  };
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: () => track(inner.connect()),
    connectToShadowDb: () => track(inner.connectToShadowDb()),
  };
  const log = opts.log;
  const engine = await bg.SchemaEngine.new(
    { datamodels: opts.datamodels },
    (line: string) => log?.(String(line)),
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  let closed = false;
  return {
    engine,
    async close() {
      if (closed) return;
      closed = true;
      engine.free();
      for (const adapter of opened.splice(0)) {
        await adapter.dispose().catch(() => undefined);
      }
      await pool?.end().catch(() => undefined);
    },
  };
}
