/**
 * The message catalogues: `locales/<locale>/*.yaml`, one file per capability, merged into one key
 * space per locale (a key defined twice is a load error). A leaf is a string with `{name}`
 * placeholders, a list of words (input vocabulary such as sub-command keywords), or plural forms
 * (`{ one: ..., other: ... }`, chosen by the `count` parameter through Intl.PluralRules).
 * Loaded once, synchronously, on first use. The compiled app (`npm start`) reads the files'
 * parsed trees from `.build/catalog-cache.json` (written by scripts/build.mjs) for every file whose
 * text still has the hash recorded there: parsing the YAML took ~0.3 s of each start.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const PLURAL_FORMS = new Set(['zero', 'one', 'two', 'few', 'many', 'other']);
export type PluralForms = { other: string } & Partial<Record<'zero' | 'one' | 'two' | 'few' | 'many', string>>;
export type Entry = string | readonly string[] | PluralForms;
export type Catalog = ReadonlyMap<string, Entry>;

export const LOCALES_DIR = fileURLToPath(new URL('../../locales/', import.meta.url));

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

function isPlural(value: object): value is PluralForms {
  const keys = Object.keys(value);
  return keys.includes('other') && keys.every((k) => PLURAL_FORMS.has(k)) && Object.values(value).every((v) => typeof v === 'string');
}

function flatten(tree: unknown, prefix: string, into: Map<string, Entry>, file: string): void {
  if (typeof tree === 'string' || (Array.isArray(tree) && tree.every((w) => typeof w === 'string'))) {
    if (into.has(prefix)) throw new Error(`${file}: message key "${prefix}" is defined twice`);
    into.set(prefix, tree as Entry);
    return;
  }
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    throw new Error(`${file}: "${prefix}" must be a string, a list of words, plural forms or a section`);
  }
  if (prefix && isPlural(tree)) {
    if (into.has(prefix)) throw new Error(`${file}: message key "${prefix}" is defined twice`);
    into.set(prefix, tree);
    return;
  }
  for (const [key, value] of Object.entries(tree)) flatten(value, prefix ? `${prefix}.${key}` : key, into, file);
}

/** Parsed catalogue files by `<locale>/<file>`: the hash of the text parsed, and its tree. */
export type CatalogCache = Record<string, { sha1: string; tree: unknown }>;

/** Where the build puts the cache: beside the compiled `src/`; absent when running the TypeScript. */
const CACHE_FILE = fileURLToPath(new URL('../../catalog-cache.json', import.meta.url));

export const textHash = (text: string): string => createHash('sha1').update(text).digest('hex');

function readCache(dir: string): CatalogCache {
  if (dir !== LOCALES_DIR || !existsSync(CACHE_FILE)) return {};
  try {
    return JSON.parse(readFileSync(CACHE_FILE, 'utf8')) as CatalogCache;
  } catch {
    return {}; // unreadable: parse the YAML as without a cache
  }
}

/** Every catalogue file of one locale: `<locale>/<file>.yaml` and its text. */
export function catalogFiles(locale: Locale, dir = LOCALES_DIR): Array<{ name: string; path: string; text: string }> {
  const folder = join(dir, locale);
  return readdirSync(folder)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: `${locale}/${f}`, path: join(folder, f), text: readFileSync(join(folder, f), 'utf8') }));
}

/** The parsed tree of a catalogue file's text. The YAML parser is loaded only when a file is not cached. */
export function parseCatalogText(text: string): unknown {
  const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return parse(text) ?? {};
}

/** Reads every catalogue file of one locale. */
export function loadCatalog(locale: Locale, dir = LOCALES_DIR, cache: CatalogCache = readCache(dir)): Catalog {
  const entries = new Map<string, Entry>();
  for (const file of catalogFiles(locale, dir)) {
    const cached = cache[file.name];
    flatten(cached?.sha1 === textHash(file.text) ? cached.tree : parseCatalogText(file.text), '', entries, file.path);
  }
  return entries;
}

let loaded: Record<Locale, Catalog> | undefined;

/** Every locale's catalogue, loaded on first use. */
export function catalogs(): Record<Locale, Catalog> {
  if (!loaded) {
    const cache = readCache(LOCALES_DIR);
    loaded = Object.fromEntries(LOCALES.map((l) => [l, loadCatalog(l, LOCALES_DIR, cache)])) as Record<Locale, Catalog>;
  }
  return loaded;
}

/** `{name}` placeholders of a template (plural forms: of all its forms). */
export function placeholders(entry: Entry): Set<string> {
  const texts = typeof entry === 'string' ? [entry] : Array.isArray(entry) ? [] : Object.values(entry as PluralForms);
  const names = new Set<string>();
  for (const text of texts) for (const m of text.matchAll(/\{(\w+)\}/g)) names.add(m[1]!);
  return names;
}
