/**
 * One query's share of a teacher job: the pairs the teacher scores (its positives, then each negative drawn for any
 * of them, every passage once) and the triples made of them (a positive and one of its negatives, as indices into
 * those pairs). A negative drawn for two positives is scored once and used twice.
 */
import { drawNegatives, type NegativeChoice } from './negatives';

export interface QueryPlan {
  /** Passage ids the teacher scores with this query, positives first. */
  pids: number[];
  /** [positive, negative] as indices into `pids`. */
  triples: [number, number][];
  /** Negatives asked for and not found in the rank window. */
  short: number;
}

export function planQuery(qid: number, positives: readonly number[], ranked: readonly number[], choice: NegativeChoice): QueryPlan {
  const unique = [...new Set(positives)];
  const { negatives, short } = drawNegatives(qid, ranked, unique, choice);
  const pids = [...unique];
  const at = new Map(unique.map((p, i) => [p, i]));
  const triples: [number, number][] = [];
  negatives.forEach((negs, i) => {
    for (const n of negs) {
      let j = at.get(n);
      if (j === undefined) {
        j = pids.length;
        at.set(n, j);
        pids.push(n);
      }
      triples.push([i, j]);
    }
  });
  return { pids, triples, short };
}
