/**
 * Compiles the app to JavaScript in `.build/` (the same tree: `.build/src`, `.build/handlers`, ...),
 * so `npm start` runs plain Node: no TypeScript compiler loaded at run time (start-up time and
 * ~30 MB of memory). One file in, one file out with esbuild (types are stripped, nothing is
 * bundled; `verbatimModuleSyntax` marks every type-only import), other files are copied, and
 * `.build/prisma` and `.build/locales` point at the real folders, which the code finds relative
 * to itself. Files are rebuilt only when their source is newer. Tests keep running the TypeScript.
 * Source maps are written beside each file (`x.js.map`, linked by a comment), not inlined: V8 keeps
 * every module's source text in the heap, and an inline map roughly doubled it (a few MB), while
 * Node reads maps only under --enable-source-maps.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { readFile } from 'node:fs/promises';

const root = fileURLToPath(new URL('..', import.meta.url));
export const BUILD_DIR = join(root, '.build');
const SOURCES = ['src', 'handlers', 'jobs', 'cards'];
const LINKED = ['prisma', 'locales'];

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

const newer = (source, target) => !existsSync(target) || statSync(source).mtimeMs > statSync(target).mtimeMs;

/** Builds what changed; returns how many files were written. */
export async function buildApp() {
  mkdirSync(BUILD_DIR, { recursive: true });
  for (const name of LINKED) {
    const link = join(BUILD_DIR, name);
    if (!existsSync(link)) symlinkSync(join('..', name), link);
  }
  const expected = new Set();
  const jobs = [];
  for (const folder of SOURCES) {
    for (const source of walk(join(root, folder))) {
      const rel = relative(root, source);
      const isTs = rel.endsWith('.ts') && !rel.endsWith('.d.ts');
      const target = join(BUILD_DIR, isTs ? rel.replace(/\.ts$/, '.js') : rel);
      expected.add(target);
      if (isTs) expected.add(`${target}.map`);
      if (!newer(source, target)) continue;
      mkdirSync(dirname(target), { recursive: true });
      if (!isTs) {
        copyFileSync(source, target);
        continue;
      }
      jobs.push(
        readFile(source, 'utf8').then(async (code) => {
          const out = await transform(code, { loader: 'ts', format: 'esm', target: 'node20', supported: { 'import-attributes': true }, sourcemap: 'external', sourcefile: source });
          writeFileSync(`${target}.map`, out.map);
          writeFileSync(target, `${out.code}//# sourceMappingURL=${basename(target)}.map\n`);
        }),
      );
    }
  }
  await Promise.all(jobs);
  // A source file removed since the last build must not linger as a module.
  for (const folder of SOURCES) {
    const built = join(BUILD_DIR, folder);
    if (!existsSync(built)) continue;
    for (const file of walk(built)) if (!expected.has(file)) rmSync(file);
  }
  await writeCatalogCache();
  return jobs.length;
}

/**
 * `.build/catalog-cache.json`: each message catalogue file's parsed tree by the hash of its text,
 * so the app's start skips the YAML parse (src/i18n/catalog.ts). Parsed by the built catalog
 * module itself; files whose hash is unchanged keep their entry.
 */
async function writeCatalogCache() {
  const { LOCALES, catalogFiles, parseCatalogText, textHash } = await import(join(BUILD_DIR, 'src', 'i18n', 'catalog.js'));
  const file = join(BUILD_DIR, 'catalog-cache.json');
  let old = {};
  try {
    old = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // none yet, or unreadable: parse everything
  }
  const cache = {};
  let changed = false;
  for (const locale of LOCALES) {
    for (const { name, text } of catalogFiles(locale)) {
      const sha1 = textHash(text);
      cache[name] = old[name]?.sha1 === sha1 ? old[name] : { sha1, tree: parseCatalogText(text) };
      changed ||= cache[name] !== old[name];
    }
  }
  if (changed || Object.keys(old).length !== Object.keys(cache).length) writeFileSync(file, JSON.stringify(cache));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const written = await buildApp();
  console.log(`built ${written} files into .build/ in ${Date.now() - started} ms`);
}
