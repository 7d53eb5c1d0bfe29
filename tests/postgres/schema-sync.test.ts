/**
 * The PostgreSQL schema is derived from prisma/schema.prisma and its migration history is
 * committed beside SQLite's: both must stay in step with the one source (run
 * `npm run db:new-migration -- <name>` after changing the schema).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { openSchemaEngine } from '../../src/db/schema-engine.js';
import { derivePostgresSchema } from '../../scripts/prisma-generate.mjs';
import { TEMPLATE_DATABASE, databaseUrl } from '../support/postgres-setup.js';

describe('the PostgreSQL schema', () => {
  it('is the one derived from prisma/schema.prisma', () => {
    const derived = derivePostgresSchema(readFileSync('prisma/schema.prisma', 'utf8'));
    expect(readFileSync('prisma/postgresql/schema.prisma', 'utf8')).toBe(derived);
  });

  it('is what its committed migrations build (no pending difference)', async () => {
    const schemaPath = 'prisma/postgresql/schema.prisma';
    const schema = readFileSync(schemaPath, 'utf8');
    // The template database of this run has every committed PostgreSQL migration applied.
    const handle = await openSchemaEngine({ postgresUrl: databaseUrl(inject('postgresUrl'), TEMPLATE_DATABASE), datamodels: [['schema.prisma', schema]] });
    try {
      const result = await handle.engine.diff({
        from: { tag: 'schemaDatasource', files: [{ path: schemaPath, content: schema }], configDir: 'prisma/postgresql' },
        to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
        script: true,
        exitCode: true,
        filters: { externalTables: [], externalEnums: [] },
      });
      // exitCode 2 means a difference; its script says what is missing.
      expect(result.exitCode, `run npm run db:new-migration:\n${result.stdout}`).toBe(0);
    } finally {
      await handle.close();
    }
  });
});
