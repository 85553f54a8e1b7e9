// Evaluation speed in headless Chromium: how many candidates per second each student architecture scores, and
// the BM25 top-1000 time per query, over a generated 500,000-passage collection.
// Usage: npm run bench:eval [-- --passages 500000 --queries 50 --depth 50 --port 4176]
// Needs the built app (npm run bench:eval builds it) and Chromium (node scripts/ensure-chromium.mjs).
import { writeFileSync, readFileSync } from 'node:fs';
import { collectionFile, flags, OUT, openStudio, rng } from './lib.mjs';

const args = flags();
const PASSAGES = Number(args.passages ?? 500_000);
const QUERIES = Number(args.queries ?? 50);
const DEPTH = Number(args.depth ?? 50);
const ARCHITECTURES = ['dot', 'colbert', 'tk', 'prett', 'cat'];

const collection = await collectionFile(PASSAGES);
// Queries drawn from passages (4 of their words), each with that passage as its relevant one; a run of 1,000
// candidates per query (the relevant passage among random ones); a few teacher triples so a student can be trained.
const r = rng(5);
const lines = readFileSync(collection, 'utf8').split('\n', QUERIES * 50);
const queries = [];
const qrels = [];
const run = [];
const teacher = [];
for (let q = 0; q < QUERIES; q++) {
  const line = lines[q * 50];
  const [pid, text] = line.split('\t');
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

const { context, page, get } = await openStudio(Number(args.port ?? 4176), 'eval');
try {
  await get('import-files').setInputFiles([collection, files.queries, files.qrels, files.run, files.teacher]);
  await page.locator(`[data-testid="dataset-summary"][data-passages="${PASSAGES}"]`).waitFor({ timeout: 600_000 });
  for (const arch of ARCHITECTURES) {
    await get('arch-select').selectOption(arch);
    // One training step with the default shapes: a student of the size that is scored.
    await get('config-steps').fill('1');
    await get('train-start').click();
    await page.locator('[data-testid="train-state"][data-state="done"], [data-testid="train-state"][data-state="error"]').waitFor({ timeout: 600_000 });
    const backend = await get('backend').textContent();
    await get('eval-depth').fill(String(DEPTH));
    await get('eval-dense').uncheck();
    await get('eval-run').click();
    await page.locator('[data-testid="eval-state"][data-state="done"], [data-testid="eval-state"][data-state="error"]').waitFor({ timeout: 1_800_000 });
    if ((await get('eval-state').getAttribute('data-state')) !== 'done') throw new Error(`evaluation failed: ${await get('eval-error').textContent()}`);
    const t = get('eval-timing');
    const pairs = Number(await t.getAttribute('data-student-pairs'));
    const seconds = Number(await t.getAttribute('data-student-seconds'));
    const perQuery = Number(await t.getAttribute('data-bm25-seconds-per-query'));
    const index = Number(await t.getAttribute('data-bm25-index-seconds'));
    console.log(`${arch} on ${backend}: ${pairs} candidates scored in ${seconds.toFixed(2)} s = ${(pairs / seconds).toFixed(1)} candidates/s (default shapes: hidden 64, passage 48 tokens)`);
    if (arch === ARCHITECTURES[0]) {
      console.log(`BM25 over ${PASSAGES} passages: index built in ${index.toFixed(1)} s; top-1000 in ${(perQuery * 1000).toFixed(1)} ms per query (mean of ${QUERIES} queries)`);
    }
  }
} finally {
  await context.close();
}
process.exit(0);
