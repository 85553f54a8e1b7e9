/**
 * The layers of src/ import only downward and no module imports itself through a circle. Read from the sources, so a
 * new import that breaks either fails here. The order (STYLE.md): ui / lab → state → worker (the training worker's
 * services) → train / eval / handoff → config (the run config) → model / data → text / export → util.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname);
/** Higher numbers sit higher; a module may import its own layer or any lower one. */
const RANK: Record<string, number> = { lab: 7, ui: 7, state: 6, worker: 5, train: 4, eval: 4, handoff: 4, teacher: 4, config: 3, model: 2, data: 2, text: 1, export: 1, util: 0 };
/**
 * Layers of the same rank that must still not import each other: training, evaluation and the handoff are features
 * side by side, which only the worker's services (worker/) put together.
 */
const APART: [string, string][] = [
  ['model', 'data'],
  ['text', 'export'],
  ['train', 'eval'],
  ['train', 'handoff'],
  ['eval', 'handoff'],
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

function moduleFile(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

/** Relative imports of a module (type-only ones too: a type import up the layers is still a dependency). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm), ...text.matchAll(/^\s*import\s+'(\.[^']+)'/gm)].map((m) => m[1] as string);
  return specs.map((s) => moduleFile(file, s)).filter((f): f is string => f !== null && !f.includes('node_modules'));
}

const layerOf = (file: string) => relative(SRC, file).split('/')[0] as string;
const files = sources(SRC).filter((f) => layerOf(f) in RANK);
const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => layerOf(t) in RANK)]));

describe('the layers of src/', () => {
  it('finds the modules and their imports (the check below has something to check)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect([...graph.values()].reduce((n, deps) => n + deps.length, 0)).toBeGreaterThan(100);
  });

  it('import only their own layer or lower ones', () => {
    const up: string[] = [];
    for (const [file, deps] of graph) {
      for (const dep of deps) {
        const a = layerOf(file);
        const b = layerOf(dep);
        const apart = APART.some(([x, y]) => (a === x && b === y) || (a === y && b === x));
        if ((RANK[b] as number) > (RANK[a] as number) || apart) up.push(`${relative(SRC, file)} imports ${relative(SRC, dep)}`);
      }
    }
    expect(up).toEqual([]);
  });

  it('have no import circles', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      path.push(file);
      for (const dep of graph.get(file) ?? []) {
        if (state.get(dep) === 'open') circles.push([...path.slice(path.indexOf(dep)), dep].map((f) => relative(SRC, f)).join(' → '));
        else if (!state.has(dep)) visit(dep);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(circles).toEqual([]);
  });
});
