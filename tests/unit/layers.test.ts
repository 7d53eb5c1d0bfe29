/**
 * The layer rules of docs/architecture.md, checked on the import graph (type-only imports included):
 * platform folders are reached only through the platform registry, cards never import services,
 * handlers never reach the queue, the database client or an adapter, adapters never touch the
 * database client (they go through ports), and no import cycle exists.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const PLATFORMS = ['simulator', 'wecom', 'dingtalk'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (rel === 'src/generated') return [];
    if (statSync(join(root, rel)).isDirectory()) return sourceFiles(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

/** Every relative import of a file (static, dynamic, type-only and re-exports), resolved to project paths. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => {
      const path = relative(root, join(root, dirname(file), spec));
      const base = path.replace(/\.js$/, '');
      return [`${base}.ts`, `${base}/index.ts`, path].find((p) => existsSync(join(root, p))) ?? `${base} (unresolved)`;
    });
}

const files = ['src', 'handlers', 'cards', 'jobs'].flatMap(sourceFiles);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

const platformOf = (path: string) => PLATFORMS.find((p) => path.startsWith(`src/platforms/${p}/`));

function violations(rule: (from: string, to: string) => boolean): string[] {
  return [...graph].flatMap(([from, tos]) => tos.filter((to) => rule(from, to)).map((to) => `${from} -> ${to}`));
}

describe('layers', () => {
  it('resolves every relative import', () => {
    expect(violations((_from, to) => to.endsWith('(unresolved)'))).toEqual([]);
  });

  it('reaches a platform folder only from inside it or through the platform registry', () => {
    expect(
      violations((from, to) => {
        const target = platformOf(to);
        return target !== undefined && platformOf(from) !== target && from !== 'src/platforms/registry.ts';
      }),
    ).toEqual([]);
  });

  it('keeps card builders free of services', () => {
    expect(violations((from, to) => from.startsWith('cards/') && to.startsWith('src/services/'))).toEqual([]);
  });

  it('keeps handlers away from the queue, the database client and the adapters', () => {
    expect(
      violations((from, to) => from.startsWith('handlers/') && (to.startsWith('src/queue/') || to.startsWith('src/db/') || to.startsWith('src/platforms/'))),
    ).toEqual([]);
  });

  it('keeps adapters away from the database client (they store what they need through ports)', () => {
    expect(violations((from, to) => platformOf(from) !== undefined && platformOf(from) !== 'simulator' && to.startsWith('src/db/'))).toEqual([]);
  });

  it('has no import cycle, type-only imports included', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
        else if (!state.has(next) && graph.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
