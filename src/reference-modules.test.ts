/**
 * The whole-table implementations (`*.reference.ts`) are references for tests, not a second data path: no product
 * module may import one. Read from the sources, as architecture.test.ts reads the layers.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

const REFERENCE_IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+'[^']*\.reference'/m;
const all = sources(SRC);
const isTest = (f: string) => /\.test\.tsx?$/.test(f);
const isReference = (f: string) => /\.reference\.ts$/.test(f);

describe('reference modules', () => {
  it('exist, and tests import them (the check below has something to check)', () => {
    expect(all.filter(isReference).length).toBeGreaterThanOrEqual(4);
    expect(all.filter((f) => isTest(f) && REFERENCE_IMPORT.test(readFileSync(f, 'utf8'))).length).toBeGreaterThanOrEqual(4);
  });

  it('are imported by tests and other references only', () => {
    const product = all.filter((f) => !isTest(f) && !isReference(f) && REFERENCE_IMPORT.test(readFileSync(f, 'utf8')));
    expect(product.map((f) => relative(SRC, f))).toEqual([]);
  });
});
