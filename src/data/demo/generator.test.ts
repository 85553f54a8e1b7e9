import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_OPTIONS, generateDemo } from './generator';

const small = { passages: 300, trainQueries: 40, devQueries: 10, negativesPerQuery: 4, candidatesPerDevQuery: 20 };

describe('generateDemo', () => {
  it('is deterministic for a seed', () => {
    const a = generateDemo({ ...small, seed: 11 });
    const b = generateDemo({ ...small, seed: 11 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('differs between seeds', () => {
    const a = generateDemo({ ...small, seed: 11 });
    const b = generateDemo({ ...small, seed: 12 });
    expect(a.passages[0]?.text).not.toBe(b.passages[0]?.text);
    expect(a.triples.map((t) => t.negScore)).not.toEqual(b.triples.map((t) => t.negScore));
  });

  it('has the default sizes', () => {
    const d = generateDemo();
    expect(d.passages).toHaveLength(DEFAULT_DEMO_OPTIONS.passages);
    expect(d.queries).toHaveLength(DEFAULT_DEMO_OPTIONS.trainQueries + DEFAULT_DEMO_OPTIONS.devQueries);
    expect(d.triples).toHaveLength(DEFAULT_DEMO_OPTIONS.trainQueries * DEFAULT_DEMO_OPTIONS.negativesPerQuery);
    expect(d.candidates).toHaveLength(DEFAULT_DEMO_OPTIONS.devQueries * DEFAULT_DEMO_OPTIONS.candidatesPerDevQuery);
    const devQids = new Set(d.qrels.map((q) => q.qid));
    expect(devQids.size).toBe(DEFAULT_DEMO_OPTIONS.devQueries);
  });

  it('references only ids that exist, and never a positive as its own negative', () => {
    const d = generateDemo({ ...small, seed: 5 });
    const pids = new Set(d.passages.map((p) => p.id));
    const qids = new Set(d.queries.map((q) => q.id));
    for (const t of d.triples) {
      expect(qids.has(t.qid) && pids.has(t.pos) && pids.has(t.neg)).toBe(true);
      expect(t.pos).not.toBe(t.neg);
    }
    for (const c of d.candidates) expect(pids.has(c.pid)).toBe(true);
    for (const r of d.qrels) expect([1, 2, 3]).toContain(r.grade);
  });

  it('gives teacher logits at their own magnitude, mostly preferring the positive', () => {
    const d = generateDemo();
    const scores = d.triples.flatMap((t) => [t.posScore, t.negScore]);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    expect(mean).toBeGreaterThan(1);
    expect(mean).toBeLessThan(9);
    const agree = d.triples.filter((t) => t.posScore > t.negScore).length / d.triples.length;
    expect(agree).toBeGreaterThan(0.75);
    // Realistic noise: the teacher is sometimes wrong.
    expect(agree).toBeLessThan(1);
  });

  it('rejects impossible options with the field named', () => {
    expect(() => generateDemo({ passages: 1 })).toThrow(/passages/);
    expect(() => generateDemo({ trainQueries: 0 })).toThrow(/trainQueries/);
    expect(() => generateDemo({ devQueries: -1 })).toThrow(/devQueries/);
  });
});
