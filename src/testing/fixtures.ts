/** Where the shared sample files live (beside the checkout), and helpers to hand them to the importer as Files. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The nearest `shared/fixtures` in a folder above `start`, if any. */
function sharedAbove(start: string): string | null {
  for (let dir = dirname(start); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'fixtures');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/** Where this checkout was cloned from, when that is a folder on this machine (a clone made for CI). */
function localOrigin(): string | null {
  try {
    const url = execFileSync('git', ['-C', REPO, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8' }).trim();
    const path = url.startsWith('file://') ? fileURLToPath(url) : url;
    return path && existsSync(path) ? join(path, '/') : null;
  } catch {
    return null;
  }
}

/**
 * `MARGIN_FIXTURES`, else the nearest `shared/fixtures` beside the checkout or above it, else beside the checkout
 * this one was cloned from (CI clones into a temporary folder).
 */
function findFixtures(): string {
  if (process.env.MARGIN_FIXTURES) return process.env.MARGIN_FIXTURES;
  const origin = localOrigin();
  const found = sharedAbove(REPO) ?? (origin ? sharedAbove(origin) : null);
  if (found) return found;
  throw new Error('the shared fixtures were not found: expected shared/fixtures beside the checkout (or beside the one it was cloned from); set MARGIN_FIXTURES to their folder');
}

export const FIXTURES = findFixtures();

export function fixtureBytes(relative: string): Buffer {
  return readFileSync(join(FIXTURES, relative));
}

export function fixtureFile(relative: string): File {
  return new File([new Uint8Array(fixtureBytes(relative))], relative.replace(/^.*\//, ''));
}

/** The text column of an `id<TAB>text` fixture file, line by line. */
export function fixtureTexts(relative: string): string[] {
  return fixtureBytes(relative)
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.slice(l.indexOf('\t') + 1));
}

export function textFile(name: string, content: string | Uint8Array<ArrayBuffer>): File {
  return new File([content], name);
}

/**
 * A TREC run written from an id-based teacher file: per query, every passage the teacher scored (positives and
 * negatives), ranked by the teacher's score. With `seed`, the same candidates get seeded random scores instead.
 */
export function runFromTeacher(relative: string, tag: string, seed?: number): string {
  const scores = new Map<number, Map<number, number>>();
  for (const line of fixtureBytes(relative).toString('utf8').trimEnd().split('\n')) {
    const [pos, neg, qid, p, n] = line.split('\t').map(Number) as [number, number, number, number, number];
    const m = scores.get(qid) ?? new Map<number, number>();
    scores.set(qid, m);
    if (!m.has(p)) m.set(p, pos);
    if (!m.has(n)) m.set(n, neg);
  }
  let state = seed ?? 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const lines: string[] = [];
  for (const [qid, m] of scores) {
    const ranked = [...m].map(([pid, s]) => [pid, seed === undefined ? s : random() * 100] as const).sort((a, b) => b[1] - a[1]);
    ranked.forEach(([pid, s], i) => lines.push(`${qid} Q0 ${pid} ${i + 1} ${s} ${tag}`));
  }
  return lines.join('\n') + '\n';
}

/** A whitespace-separated TREC run as plain maps, parsed independently of the importer (for checking it). */
export function parseRunText(text: string): Map<number, { pids: number[]; scores: number[] }> {
  const run = new Map<number, { pids: number[]; scores: number[] }>();
  for (const line of text.trimEnd().split('\n')) {
    const [q, , p, , s] = line.trim().split(/\s+/);
    const e = run.get(Number(q)) ?? { pids: [], scores: [] };
    e.pids.push(Number(p));
    e.scores.push(Number(s));
    run.set(Number(q), e);
  }
  return run;
}
