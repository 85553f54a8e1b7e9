// Evaluation speed in headless Chromium: how many candidates per second each student architecture scores, and
// the BM25 top-1000 time per query, over a generated 500,000-passage collection.
// Usage: npm run bench:eval [-- --passages 500000 --queries 50 --depth 50 --archs dot,colbert,tk,prett,cat --port 5180]
// Needs the built app (npm run bench:eval builds it) and Chromium (node scripts/ensure-chromium.mjs).
import { writeFileSync, readFileSync } from 'node:fs';
import { flagsOrExit } from '../scripts/flags.mjs';
import { launchStudio } from '../scripts/studio-browser.mjs';
import { collectionFile, OUT, profileDir, rng, studentNames } from './lib.mjs';

const ARCHITECTURES = await studentNames();
const COMMAND = 'npm run bench:eval --';
const args = flagsOrExit(COMMAND, {
  passages: { type: 'integer', min: 1000, default: 500_000, help: 'generated collection size (at least 1000: each query has 1000 candidates)' },
  queries: { type: 'integer', min: 1, default: 50, help: 'dev queries (each drawn from every 50th passage)' },
  depth: { type: 'integer', min: 1, default: 50, help: 'candidates re-ranked by the student per query' },
  archs: { type: 'list', choices: ARCHITECTURES, default: ARCHITECTURES, help: 'the students to time' },
  port: { type: 'integer', help: 'serve on this port (default: 5180, or a free one)' },
});
const PASSAGES = args.passages;
const QUERIES = args.queries;
if (QUERIES * 50 > PASSAGES) {
  console.error(`${COMMAND}: --queries ${QUERIES} needs at least ${QUERIES * 50} passages (one query from every 50th)`);
  process.exit(2);
}

const collection = await collectionFile(PASSAGES);
// Queries drawn from passages (4 of their words), each with that passage as its relevant one; a run of 1,000
// candidates per query (the relevant passage among random ones); a few teacher triples so a student can be trained.
const r = rng(5);
const lines = readFileSync(collection, 'utf8').split('\n', QUERIES * 50);
/** @type {string[]} */
const queries = [];
/** @type {string[]} */
const qrels = [];
/** @type {string[]} */
const run = [];
/** @type {string[]} */
const teacher = [];
for (let q = 0; q < QUERIES; q++) {
  const [pid, text] = /** @type {[string, string]} */ ((lines[q * 50] ?? '').split('\t'));
  const words = text.replace(/\.$/, '').split(' ');
  const picked = Array.from({ length: 4 }, () => words[Math.floor(r() * words.length)]);
  const qid = 700000 + q;
  queries.push(`${qid}\t${picked.join(' ')}`);
  qrels.push(`${qid} 0 ${pid} 1`);
  const cands = new Set([Number(pid)]);
  while (cands.size < 1000) cands.add(Math.floor(r() * PASSAGES));
  [...cands].forEach((p, i) => run.push(`${qid} Q0 ${p} ${i + 1} ${(1000 - i) / 100} random`));
  for (let k = 0; k < 8; k++) teacher.push(`${(9 + r()).toFixed(3)}\t${(r() * 8).toFixed(3)}\t${qid}\t${pid}\t${Math.floor(r() * PASSAGES)}`);
}
const files = { queries: `${OUT}/eval-queries.tsv`, qrels: `${OUT}/eval-qrels.tsv`, run: `${OUT}/eval-candidates.run`, teacher: `${OUT}/eval-teacher.tsv` };
writeFileSync(files.queries, queries.join('\n') + '\n');
writeFileSync(files.qrels, qrels.join('\n') + '\n');
writeFileSync(files.run, run.join('\n') + '\n');
writeFileSync(files.teacher, teacher.join('\n') + '\n');

const { studio, close } = await launchStudio({ profile: profileDir('eval'), ...(args.port === undefined ? {} : { port: args.port }) });
try {
  await studio.data.importFiles([collection, files.queries, files.qrels, files.run, files.teacher], 'done', 1_800_000);
  if ((await studio.data.count('passages')) !== PASSAGES) throw new Error(`the imported collection has ${await studio.data.count('passages')} passages, not ${PASSAGES}`);
  for (const arch of args.archs) {
    // One training step with the default shapes: a student of the size that is scored.
    await studio.train.configure({ 'arch-select': arch, 'config-steps': 1 });
    await studio.train.start();
    const { backend } = await studio.train.waitForEnd({ timeout: 600_000, interval: 200 });
    await studio.evaluation.run({ depth: args.depth, dense: false, timeout: 1_800_000 });
    const t = await studio.evaluation.timing();
    console.log(`${arch} on ${backend}: ${t.studentPairs} candidates scored in ${t.studentSeconds.toFixed(2)} s = ${(t.studentPairs / t.studentSeconds).toFixed(1)} candidates/s (default shapes: hidden 64, passage 48 tokens)`);
    if (arch === args.archs[0]) {
      console.log(`BM25 over ${PASSAGES} passages: index built in ${t.bm25IndexSeconds.toFixed(1)} s; top-1000 in ${(t.bm25SecondsPerQuery * 1000).toFixed(1)} ms per query (mean of ${QUERIES} queries)`);
    }
  }
} finally {
  await close();
}
process.exit(0);
