#!/usr/bin/env node
// Generates the Prisma clients offline, and only when needed: SQLite's (src/generated/prisma) from
// prisma/schema.prisma, the one source of truth, and PostgreSQL's (src/generated/prisma-pg) from
// prisma/postgresql/schema.prisma, which is derived from it (derivePostgresSchema, kept in step by
// db:new-migration and checked by a test).
//
// `prisma generate` insists on a native schema engine file being present (and tries to download
// it), but does not run it. Pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file lets it
// finish without network access. The generated client stays valid while schema.prisma and the
// prisma version are unchanged: their sha256 is kept in src/generated/prisma/.schema-hash.
//
// Usage: node scripts/prisma-generate.mjs [--force]
//        import { generatePrismaClient } from './prisma-generate.mjs'
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HASH_FILE = '.schema-hash';
/** The source schema and the derived PostgreSQL one, each with its client. */
export const CLIENTS = [
  { schema: 'prisma/schema.prisma', output: 'src/generated/prisma' },
  { schema: 'prisma/postgresql/schema.prisma', output: 'src/generated/prisma-pg' },
];

/**
 * The PostgreSQL variant of the SQLite schema: the same models, another provider and client
 * folder. Nothing else differs; a model that needs a provider-specific type would be an
 * explicit rule here.
 */
export function derivePostgresSchema(sqliteSchema) {
  const header = '// GENERATED from prisma/schema.prisma by scripts/prisma-generate.mjs (derivePostgresSchema). Do not edit:\n// change prisma/schema.prisma and run `npm run db:new-migration -- <name>`.\n';
  const provider = sqliteSchema.replace(/(datasource\s+\w+\s*\{[^}]*?\bprovider\s*=\s*)"sqlite"/, '$1"postgresql"');
  if (provider === sqliteSchema) throw new Error('prisma/schema.prisma: no datasource with provider "sqlite"');
  const output = provider.replace(/(\boutput\s*=\s*)"\.\.\/src\/generated\/prisma"/, '$1"../../src/generated/prisma-pg"');
  if (output === provider) throw new Error('prisma/schema.prisma: generator output is not "../src/generated/prisma"');
  return header + output;
}

/**
 * @param {{ root: string, force?: boolean, quiet?: boolean }} opts
 *   root: the project folder (holds package.json and prisma/schema.prisma);
 *   force: generate even when up to date; quiet: hide the CLI's output unless it fails.
 * @returns {Promise<{ generated: boolean, hash: string, outputDir: string }>}
 */
export async function generatePrismaClient({ root, force = false, quiet = false }) {
  let generated = false;
  let last;
  for (const client of CLIENTS) {
    last = await generateOne({ root, force, quiet, ...client });
    generated ||= last.generated;
  }
  return { generated, hash: last.hash, outputDir: path.dirname(last.outputDir) };
}

async function generateOne({ root, force, quiet, schema: schemaFile, output: outputFolder }) {
  const rootDir = path.resolve(root);
  const schemaPath = path.join(rootDir, schemaFile);
  const outputDir = path.join(rootDir, outputFolder);
  const hashPath = path.join(outputDir, HASH_FILE);

  const require = createRequire(path.join(rootDir, 'package.json'));
  const prismaPkgPath = require.resolve('prisma/package.json');
  const prismaPkg = JSON.parse(await readFile(prismaPkgPath, 'utf8'));
  const bin = typeof prismaPkg.bin === 'string' ? prismaPkg.bin : prismaPkg.bin.prisma;
  const cli = path.join(path.dirname(prismaPkgPath), bin);

  const schema = await readFile(schemaPath, 'utf8');
  const hash = createHash('sha256').update(schema).update('\0prisma@').update(prismaPkg.version).digest('hex');

  if (!force) {
    const stored = await readFile(hashPath, 'utf8').catch(() => '');
    if (stored.trim() === hash && existsSync(path.join(outputDir, 'client.ts'))) {
      return { generated: false, hash, outputDir };
    }
  }

  const configuredEngine = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
  const env = {
    ...process.env,
    // Any existing file will do: generate checks for it but never runs it.
    PRISMA_SCHEMA_ENGINE_BINARY:
      configuredEngine && existsSync(configuredEngine) ? configuredEngine : prismaPkgPath,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  };
  const args = [cli, 'generate', '--schema', schemaPath, '--no-hints'];
  const { code, output } = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: rootDir,
      env,
      stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
    });
    let text = '';
    child.stdout?.on('data', (chunk) => (text += chunk));
    child.stderr?.on('data', (chunk) => (text += chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, output: text }));
  });
  if (code !== 0) {
    throw new Error(`prisma generate failed (exit ${code})${output ? `:\n${output}` : ''}`);
  }
  await writeFile(hashPath, `${hash}\n`);
  return { generated: true, hash, outputDir };
}

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const started = performance.now();
  generatePrismaClient({ root, force: process.argv.includes('--force') }).then(
    ({ generated, outputDir }) => {
      const ms = Math.round(performance.now() - started);
      const where = path.relative(root, outputDir);
      console.log(generated ? `Prisma client generated in ${where} (${ms} ms)` : `Prisma client in ${where} is up to date`);
    },
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
