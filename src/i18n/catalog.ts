/**
 * The message catalogues: `locales/<locale>/*.yaml`, one file per capability, merged into one key
 * space per locale (a key defined twice is a load error). A leaf is a string with `{name}`
 * placeholders, a list of words (input vocabulary such as sub-command keywords), or plural forms
 * (`{ one: ..., other: ... }`, chosen by the `count` parameter through Intl.PluralRules).
 * Loaded once, synchronously, on first use.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

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

/** Reads every catalogue file of one locale. */
export function loadCatalog(locale: Locale, dir = LOCALES_DIR): Catalog {
  const entries = new Map<string, Entry>();
  const folder = join(dir, locale);
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.yaml')).sort()) {
    const path = join(folder, file);
    flatten(parse(readFileSync(path, 'utf8')) ?? {}, '', entries, path);
  }
  return entries;
}

let cache: Record<Locale, Catalog> | undefined;

/** Every locale's catalogue, loaded on first use. */
export function catalogs(): Record<Locale, Catalog> {
  cache ??= Object.fromEntries(LOCALES.map((l) => [l, loadCatalog(l)])) as Record<Locale, Catalog>;
  return cache;
}

/** `{name}` placeholders of a template (plural forms: of all its forms). */
export function placeholders(entry: Entry): Set<string> {
  const texts = typeof entry === 'string' ? [entry] : Array.isArray(entry) ? [] : Object.values(entry as PluralForms);
  const names = new Set<string>();
  for (const text of texts) for (const m of text.matchAll(/\{(\w+)\}/g)) names.add(m[1]!);
  return names;
}
