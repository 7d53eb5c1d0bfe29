/**
 * The message catalogues are complete and are the only home of user-facing words: every key exists
 * in every language with the same placeholders, every key and error code the code uses exists, and
 * no handler, service, card or adapter file holds a CJK string literal (the time grammar and the
 * simulator's demo data excepted).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { buildRegistry } from '../../handlers/index.js';
import { LOCALES, catalogs, placeholders } from '../../src/i18n/catalog.js';

const root = join(import.meta.dirname, '../..');
const SCANNED = ['src', 'handlers', 'cards', 'jobs'];
/** Grammar and data, not messages: what people type is parsed there, or it is demo data. */
const EXEMPT = [/^src\/time\//, /^src\/generated\//, /^src\/platforms\/simulator\/seed/, /^src\/platforms\/simulator\/web\//];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(join(root, rel)).isDirectory()) return sourceFiles(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

const files = SCANNED.flatMap(sourceFiles).filter((f) => !EXEMPT.some((re) => re.test(f)));
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** CJK string and template literals of one file (comments and regular expressions are not literals). */
function cjkLiterals(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) &&
      CJK.test(node.text)
    ) {
      found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('message catalogues', () => {
  const all = catalogs();

  it('never lose the end of a value to a YAML comment (quote values with " #")', () => {
    const cut: string[] = [];
    for (const locale of LOCALES) {
      const dir = join(root, 'locales', locale);
      for (const file of readdirSync(dir)) {
        readFileSync(join(dir, file), 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (/^\s*[\w.-]+:\s+[^"'|>[\s].* #/.test(line)) cut.push(`${locale}/${file}:${i + 1}`);
          });
      }
    }
    expect(cut).toEqual([]);
  });

  it('have the same keys in every language', () => {
    const [first, ...others] = LOCALES;
    for (const other of others) {
      const missingThere = [...all[first].keys()].filter((k) => !all[other].has(k));
      const missingHere = [...all[other].keys()].filter((k) => !all[first].has(k));
      expect(missingThere, `keys missing in ${other}`).toEqual([]);
      expect(missingHere, `keys missing in ${first}`).toEqual([]);
    }
  });

  it('use the same placeholders in every language', () => {
    const differ: string[] = [];
    for (const [key, entry] of all['zh-CN']) {
      const expected = [...placeholders(entry)].sort().join(',');
      for (const locale of LOCALES) {
        const other = all[locale].get(key);
        if (other !== undefined && [...placeholders(other)].sort().join(',') !== expected) differ.push(`${locale} ${key}`);
      }
    }
    expect(differ).toEqual([]);
  });

  it('hold every key, word list and error code the code names', () => {
    const missing: string[] = [];
    const patterns = [
      /\b(?:t|msg|words|localeOfWord|render)\(\s*'([a-zA-Z][\w.-]*)'/g,
      /\bt\.t\(\s*'([a-zA-Z][\w.-]*)'/g,
      /\b(?:UsageError|UserError)\(\s*'(E_[A-Z0-9_]+)'/g,
      /\bcode: '(E_[A-Z0-9_]+)'/g,
    ];
    for (const file of [...files, ...sourceFiles('src/time')]) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const re of patterns) {
        for (const m of text.matchAll(re)) {
          const key = m[1]!.startsWith('E_') ? `errors.${m[1]}` : m[1]!;
          for (const locale of LOCALES) if (!all[locale].has(key)) missing.push(`${relative(root, join(root, file))}: ${key} (${locale})`);
        }
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });

  it('describe every registered command', () => {
    const missing: string[] = [];
    for (const spec of buildRegistry().allCommands()) {
      for (const part of ['keywords', 'summary', 'usage', 'example']) {
        for (const locale of LOCALES) if (!all[locale].has(`commands.${spec.id}.${part}`)) missing.push(`${locale} commands.${spec.id}.${part}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('are the only place with Chinese words: no CJK string literal in handlers, services, cards or adapters', () => {
    const found = files.flatMap(cjkLiterals);
    expect(found).toEqual([]);
  });
});
