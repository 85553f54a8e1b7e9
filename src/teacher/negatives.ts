/**
 * Negatives for teacher triples, drawn from a ranking of the collection for a query (BM25's top k, a dense
 * student's, an imported run): a rank window, a number per positive, never a positive of the query, the same draw for
 * the same seed and query whatever order queries are processed in (each query draws from a generator seeded by the
 * run's seed and its own id, so a resumed job draws what the uninterrupted one did).
 */
import { Rng } from '../util/random';

export interface NegativeChoice {
  /** The window of ranks to draw from, 1-based and inclusive (ranks 1–50: the 50 best candidates). */
  fromRank: number;
  toRank: number;
  /** Negatives drawn for each positive of the query (without repeating a passage within one positive). */
  perPositive: number;
  seed: number;
}

export function checkNegativeChoice(c: NegativeChoice): void {
  const whole = (v: number, least: number) => Number.isInteger(v) && v >= least;
  if (!whole(c.fromRank, 1)) throw new RangeError(`negatives: the first rank must be a whole number of at least 1, got ${c.fromRank}`);
  if (!whole(c.toRank, c.fromRank)) throw new RangeError(`negatives: the last rank must be a whole number of at least the first (${c.fromRank}), got ${c.toRank}`);
  if (!whole(c.perPositive, 1)) throw new RangeError(`negatives: negatives per positive must be a whole number of at least 1, got ${c.perPositive}`);
  if (!Number.isInteger(c.seed)) throw new RangeError(`negatives: the seed must be a whole number, got ${c.seed}`);
}

/** A generator for one query: the run's seed and the query's id mixed (a 32-bit integer hash), so queries draw apart. */
export function queryRng(seed: number, qid: number): Rng {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (qid >>> 0), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return new Rng((h ^ (h >>> 16)) >>> 0);
}

export interface QueryNegatives {
  /** For each positive, in the order given: the negatives drawn for it. */
  negatives: number[][];
  /** Negatives asked for and not found (the window held fewer candidates that are not positives). */
  short: number;
}

/**
 * Draws `perPositive` negatives for each of `positives` from `ranked` (the query's candidates, best first; a passage
 * listed twice counts once, at its better rank) within ranks fromRank–toRank, positives excluded.
 */
export function drawNegatives(qid: number, ranked: readonly number[], positives: readonly number[], choice: NegativeChoice): QueryNegatives {
  checkNegativeChoice(choice);
  const isPositive = new Set(positives);
  const seen = new Set<number>();
  const pool: number[] = [];
  for (let rank = 1; rank <= Math.min(choice.toRank, ranked.length); rank++) {
    const pid = ranked[rank - 1] as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    if (rank >= choice.fromRank && !isPositive.has(pid)) pool.push(pid);
  }
  const rng = queryRng(choice.seed, qid);
  const take = Math.min(choice.perPositive, pool.length);
  const negatives = positives.map(() => {
    // A partial Fisher–Yates over a copy: the first `take` of a uniform random order, without repeats.
    const order = pool.slice();
    for (let i = 0; i < take; i++) {
      const j = i + rng.int(order.length - i);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    return order.slice(0, take);
  });
  return { negatives, short: positives.length * (choice.perPositive - take) };
}
