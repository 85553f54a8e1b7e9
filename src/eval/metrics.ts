/**
 * Ranking metrics computed the way trec_eval computes them, so that a figure from the studio can sit beside
 * published ones:
 * - a run is ranked by score descending, ties broken by document id descending, compared as strings (trec_eval
 *   sorts docnos with strcmp, so "999" ranks above "5000" on a tie);
 * - nDCG@k uses the qrels grade as gain (grades ≤ 0 gain nothing), discount log2(rank + 1), and the ideal ranking
 *   of all judged documents of the query, cut at k;
 * - RR@k (MRR@10), Recall@k and AP (MAP) count a document relevant when its grade ≥ the relevance threshold
 *   (MS MARCO dev: 1; TREC DL passage: 2);
 * - a query is evaluated when the run has it and the qrels hold a relevant document for it; averages are over
 *   those queries (trec_eval's default, without -c).
 */
export type Qrels = Map<number, Map<number, number>>;
/** Per query: candidate ids and their scores (any order). */
export type Run = Map<number, { pids: ArrayLike<number>; scores: ArrayLike<number> }>;

export interface QueryMetrics {
  qid: number;
  rr10: number;
  ndcg10: number;
  recall100: number;
  recall1000: number;
  ap: number;
  /** Relevant documents in the qrels for this query. */
  relevant: number;
}

export interface RunMetrics {
  /** Later copies of a document already listed for the same query: dropped (trec_eval refuses such runs). */
  duplicates: number;
  mrr10: number;
  ndcg10: number;
  recall100: number;
  recall1000: number;
  map: number;
  /** Queries evaluated. */
  queries: number;
  perQuery: QueryMetrics[];
}

export function qrelsFrom(cols: { qid: ArrayLike<number>; pid: ArrayLike<number>; grade: ArrayLike<number> }): Qrels {
  const qrels: Qrels = new Map();
  for (let i = 0; i < cols.qid.length; i++) {
    const q = cols.qid[i] as number;
    let judged = qrels.get(q);
    if (!judged) qrels.set(q, (judged = new Map()));
    judged.set(cols.pid[i] as number, cols.grade[i] as number);
  }
  return qrels;
}

/** Document ids in trec_eval's order: score descending, then id descending as strings. */
export function rank(pids: ArrayLike<number>, scores: ArrayLike<number>): number[] {
  const order = Array.from({ length: pids.length }, (_, i) => i);
  const names = Array.from(pids, (p) => String(p));
  order.sort((a, b) => {
    const d = (scores[b] as number) - (scores[a] as number);
    if (d !== 0 && !Number.isNaN(d)) return d;
    const x = names[a] as string;
    const y = names[b] as string;
    return x < y ? 1 : x > y ? -1 : 0;
  });
  return order.map((i) => pids[i] as number);
}

export function ndcgAt(ranked: readonly number[], judged: Map<number, number>, k: number): number {
  let dcg = 0;
  for (let r = 0; r < Math.min(k, ranked.length); r++) {
    const gain = judged.get(ranked[r] as number) ?? 0;
    if (gain > 0) dcg += gain / Math.log2(r + 2);
  }
  const ideal = [...judged.values()].filter((g) => g > 0).sort((a, b) => b - a);
  let idcg = 0;
  for (let r = 0; r < Math.min(k, ideal.length); r++) idcg += (ideal[r] as number) / Math.log2(r + 2);
  return idcg === 0 ? 0 : dcg / idcg;
}

export function evaluateQuery(qid: number, ranked: readonly number[], judged: Map<number, number>, threshold: number): QueryMetrics {
  const isRel = (pid: number) => (judged.get(pid) ?? -Infinity) >= threshold;
  let relevant = 0;
  for (const g of judged.values()) if (g >= threshold) relevant++;
  let rr10 = 0;
  let found = 0;
  let found100 = 0;
  let found1000 = 0;
  let precisionSum = 0;
  ranked.forEach((pid, r) => {
    if (!isRel(pid)) return;
    found++;
    if (rr10 === 0 && r < 10) rr10 = 1 / (r + 1);
    if (r < 100) found100++;
    if (r < 1000) found1000++;
    precisionSum += found / (r + 1);
  });
  return {
    qid,
    rr10,
    ndcg10: ndcgAt(ranked, judged, 10),
    recall100: relevant ? found100 / relevant : 0,
    recall1000: relevant ? found1000 / relevant : 0,
    ap: relevant ? precisionSum / relevant : 0,
    relevant,
  };
}

/** Keeps each document once per query, at its highest score. */
function dedupe(pids: ArrayLike<number>, scores: ArrayLike<number>): { pids: number[]; scores: number[]; dropped: number } {
  const best = new Map<number, number>();
  for (let i = 0; i < pids.length; i++) {
    const p = pids[i] as number;
    const s = scores[i] as number;
    const had = best.get(p);
    if (had === undefined || s > had) best.set(p, s);
  }
  return { pids: [...best.keys()], scores: [...best.values()], dropped: pids.length - best.size };
}

export function evaluateRun(run: Run, qrels: Qrels, threshold = 1): RunMetrics {
  const perQuery: QueryMetrics[] = [];
  let duplicates = 0;
  for (const [qid, judged] of qrels) {
    const entry = run.get(qid);
    if (!entry) continue;
    if (![...judged.values()].some((g) => g >= threshold)) continue;
    const unique = dedupe(entry.pids, entry.scores);
    duplicates += unique.dropped;
    perQuery.push(evaluateQuery(qid, rank(unique.pids, unique.scores), judged, threshold));
  }
  perQuery.sort((a, b) => a.qid - b.qid);
  const mean = (f: (m: QueryMetrics) => number) => (perQuery.length ? perQuery.reduce((s, m) => s + f(m), 0) / perQuery.length : 0);
  return {
    duplicates,
    mrr10: mean((m) => m.rr10),
    ndcg10: mean((m) => m.ndcg10),
    recall100: mean((m) => m.recall100),
    recall1000: mean((m) => m.recall1000),
    map: mean((m) => m.ap),
    queries: perQuery.length,
    perQuery,
  };
}

/** Whether |x| · 10^4 lies exactly half-way between two integers (decided on the exact binary value). */
function exactTieAt4(x: number): boolean {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const mantissa = biased === 0 ? bits & ((1n << 52n) - 1n) : (bits & ((1n << 52n) - 1n)) | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  // |x| = mantissa · 2^exponent; a tie means 2 · 10^4 · |x| is an odd integer.
  if (exponent >= 0) return false;
  const num = mantissa * 20000n;
  const den = 1n << BigInt(-exponent);
  return num % den === 0n && ((num / den) & 1n) === 1n;
}

/**
 * Four decimals exactly as trec_eval's printf("%.4f") prints them: the exact binary value rounded, and an exact tie
 * (1/32 = 0.03125) rounded to even, as glibc does. `toFixed` rounds the exact value too but sends ties up.
 */
export function fixed4(x: number): string {
  if (!Number.isFinite(x) || !exactTieAt4(x)) return Number.isFinite(x) ? x.toFixed(4) : String(x);
  const lower = Math.floor(Math.abs(x) * 1e4);
  const kept = lower % 2 === 0 ? lower : lower + 1;
  return (x < 0 ? '-' : '') + (kept / 1e4).toFixed(4);
}

/** A metric value at the four decimals trec_eval prints. */
export function round4(x: number): number {
  return Number(fixed4(x));
}
