/**
 * The bundled demo: a seeded synthetic corpus with a built-in teacher.
 *
 * Passages are written from topics (each with its own words) plus a few rare "key" words that only that passage
 * contains; queries ask for a passage through some of its key and topic words. The teacher is a noisy cross-encoder
 * stand-in: its score is a logit around 0-10 that rewards key-word matches most, then topic agreement, then plain
 * word overlap. A dot-product student scores at a different magnitude, so the first screen already shows why the
 * margin, not the raw score, is the thing to match.
 *
 * Everything here is a pure function of the seed: the same seed gives the same bytes on every machine.
 */
import { Rng } from '../../util/random';

export interface DemoOptions {
  seed: number;
  passages: number;
  trainQueries: number;
  devQueries: number;
  negativesPerQuery: number;
  candidatesPerDevQuery: number;
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = {
  seed: 20201006,
  passages: 2000,
  trainQueries: 400,
  devQueries: 50,
  negativesPerQuery: 8,
  candidatesPerDevQuery: 100,
};

export interface TextRow {
  id: number;
  text: string;
}
export interface TripleRow {
  qid: number;
  pos: number;
  neg: number;
  posScore: number;
  negScore: number;
}
export interface QrelRow {
  qid: number;
  pid: number;
  grade: number;
}
export interface CandidateRow {
  qid: number;
  pid: number;
  rank: number;
  score: number;
}

export interface DemoDataset {
  passages: TextRow[];
  queries: TextRow[];
  triples: TripleRow[];
  qrels: QrelRow[];
  candidates: CandidateRow[];
}

const TOPICS = 40;
const WORDS_PER_TOPIC = 45;
const KEY_WORDS_PER_PASSAGE = 3;
const FIRST_PID = 100000;
const FIRST_TRAIN_QID = 1;
const FIRST_DEV_QID = 900001;

// Real English function words make the text read like text and give the student frequent, useless tokens to
// learn to ignore.
const COMMON = (
  'the of and to in is that for it as with was on be by at this are from or an which have not has but were ' +
  'their can its also more one all been other these into than when may some such only most two there about'
).split(' ');

const ONSETS = ['b', 'c', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'st', 'tr', 'gl', 'pl', 'sh', 'th'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou'];
const CODAS = ['', '', 'n', 'r', 's', 'l', 'm', 'x', 'nd', 'rt'];

function makeWord(rng: Rng, syllables: number): string {
  let w = '';
  for (let s = 0; s < syllables; s++) w += rng.pick(ONSETS) + rng.pick(VOWELS);
  return w + rng.pick(CODAS);
}

/** Distinct pseudo-words; `taken` keeps topic words and key words from colliding. */
function makeWords(rng: Rng, count: number, syllables: number, taken: Set<string>): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const w = makeWord(rng, syllables);
    if (taken.has(w)) continue;
    taken.add(w);
    out.push(w);
  }
  return out;
}

/** Zipf-like pick: early words of a topic are much more frequent than late ones. */
function zipfPick(rng: Rng, words: readonly string[]): string {
  const i = Math.floor(words.length * Math.pow(rng.next(), 2.2));
  return words[Math.min(i, words.length - 1)] as string;
}

interface PassageModel {
  pid: number;
  topic: number;
  keys: string[];
  words: Set<string>;
}

interface QueryModel {
  qid: number;
  source: PassageModel;
  words: string[];
}

export function generateDemo(options: Partial<DemoOptions> = {}): DemoDataset {
  const opt: DemoOptions = { ...DEFAULT_DEMO_OPTIONS, ...options };
  validate(opt);
  const rng = new Rng(opt.seed);
  const taken = new Set<string>(COMMON);
  const topicWords = Array.from({ length: TOPICS }, () => makeWords(rng, WORDS_PER_TOPIC, 2, taken));

  const passages: TextRow[] = [];
  const models: PassageModel[] = [];
  const byTopic: PassageModel[][] = Array.from({ length: TOPICS }, () => []);
  for (let i = 0; i < opt.passages; i++) {
    const topic = rng.int(TOPICS);
    const second = rng.int(TOPICS);
    const keys = makeWords(rng, KEY_WORDS_PER_PASSAGE, 3, taken);
    const length = 28 + rng.int(36);
    const words: string[] = [];
    for (let w = 0; w < length; w++) {
      const u = rng.next();
      if (u < 0.42) words.push(rng.pick(COMMON));
      else if (u < 0.82) words.push(zipfPick(rng, topicWords[topic] as string[]));
      else words.push(zipfPick(rng, topicWords[second] as string[]));
    }
    for (const key of keys) {
      const times = 1 + rng.int(2);
      for (let t = 0; t < times; t++) words.splice(rng.int(words.length + 1), 0, key);
    }
    const pid = FIRST_PID + i;
    passages.push({ id: pid, text: sentence(words) });
    const model: PassageModel = { pid, topic, keys, words: new Set(words) };
    models.push(model);
    byTopic[topic]?.push(model);
  }

  const makeQuery = (qid: number): QueryModel => {
    const source = models[rng.int(models.length)] as PassageModel;
    const words: string[] = [];
    const keyCount = rng.next() < 0.75 ? 1 + rng.int(2) : 0;
    const keys = rng.shuffle([...source.keys]);
    for (let k = 0; k < keyCount; k++) words.push(keys[k] as string);
    const topical = [...source.words].filter((w) => topicWords[source.topic]?.includes(w));
    const topicalCount = 2 + rng.int(3);
    for (let t = 0; t < topicalCount && topical.length > 0; t++) words.push(rng.pick(topical));
    if (rng.next() < 0.5) words.splice(rng.int(words.length + 1), 0, rng.pick(COMMON));
    return { qid, source, words };
  };

  const teacher = (q: QueryModel, p: PassageModel): number => {
    let keyHits = 0;
    let overlap = 0;
    for (const w of q.words) {
      if (p.words.has(w)) {
        overlap++;
        if (p.keys.includes(w)) keyHits++;
      }
    }
    const sameTopic = p.topic === q.source.topic ? 1 : 0;
    const raw = 0.8 + 3.1 * Math.min(keyHits, 2) + 2.4 * sameTopic + (0.9 * overlap) / q.words.length;
    return round4(raw + 0.55 * rng.normal());
  };

  const queries: TextRow[] = [];
  const triples: TripleRow[] = [];
  for (let i = 0; i < opt.trainQueries; i++) {
    const q = makeQuery(FIRST_TRAIN_QID + i);
    queries.push({ id: q.qid, text: q.words.join(' ') });
    const posScore = teacher(q, q.source);
    const sameTopic = (byTopic[q.source.topic] ?? []).filter((p) => p.pid !== q.source.pid);
    for (let n = 0; n < opt.negativesPerQuery; n++) {
      // Half hard negatives from the same topic, half random: the mix real BM25 negatives give.
      const hard = n % 2 === 0 && sameTopic.length > 0;
      let neg = hard ? rng.pick(sameTopic) : (models[rng.int(models.length)] as PassageModel);
      if (neg.pid === q.source.pid) neg = models[(models.indexOf(neg) + 1) % models.length] as PassageModel;
      triples.push({ qid: q.qid, pos: q.source.pid, neg: neg.pid, posScore, negScore: teacher(q, neg) });
    }
  }

  const qrels: QrelRow[] = [];
  const candidates: CandidateRow[] = [];
  for (let i = 0; i < opt.devQueries; i++) {
    const q = makeQuery(FIRST_DEV_QID + i);
    queries.push({ id: q.qid, text: q.words.join(' ') });
    qrels.push(...judge(q, byTopic[q.source.topic] ?? []));
    candidates.push(...lexicalTopK(q, models, opt.candidatesPerDevQuery));
  }
  return { passages, queries, triples, qrels, candidates };
}

/** Graded judgements: 3 for the passage the query was written from, 2 for same-topic passages with one of its
 * key words, 1 for same-topic passages sharing most of its words. */
function judge(q: QueryModel, topicMates: readonly PassageModel[]): QrelRow[] {
  const rows: QrelRow[] = [{ qid: q.qid, pid: q.source.pid, grade: 3 }];
  for (const p of topicMates) {
    if (p.pid === q.source.pid) continue;
    const hits = q.words.filter((w) => p.words.has(w));
    const keyHit = hits.some((w) => q.source.keys.includes(w));
    if (keyHit) rows.push({ qid: q.qid, pid: p.pid, grade: 2 });
    else if (hits.length >= Math.ceil(0.75 * q.words.length)) rows.push({ qid: q.qid, pid: p.pid, grade: 1 });
  }
  return rows;
}

/** A crude first stage (distinct query words present), ties by pid, standing in for BM25 candidates. */
function lexicalTopK(q: QueryModel, models: readonly PassageModel[], k: number): CandidateRow[] {
  const scored = models.map((p) => ({ pid: p.pid, score: q.words.filter((w) => p.words.has(w)).length }));
  scored.sort((a, b) => b.score - a.score || a.pid - b.pid);
  return scored.slice(0, k).map((s, r) => ({ qid: q.qid, pid: s.pid, rank: r + 1, score: s.score }));
}

function sentence(words: readonly string[]): string {
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

function validate(opt: DemoOptions): void {
  const positive: (keyof DemoOptions)[] = ['passages', 'trainQueries', 'negativesPerQuery', 'candidatesPerDevQuery'];
  for (const key of positive) {
    if (!Number.isInteger(opt[key]) || opt[key] < 1) throw new Error(`demo: ${key} must be a positive integer, got ${opt[key]}`);
  }
  if (!Number.isInteger(opt.devQueries) || opt.devQueries < 0) throw new Error(`demo: devQueries must be a non-negative integer, got ${opt.devQueries}`);
  if (opt.passages < 2) throw new Error('demo: at least 2 passages are needed to draw negatives');
}
