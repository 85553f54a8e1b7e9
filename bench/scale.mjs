// The data path at MS MARCO's scale, in headless Chromium with a persistent profile (IndexedDB and OPFS on disk):
// a generated collection of MS MARCO's passage lengths, queries, dev queries with qrels and an id-based teacher file
// imported through the page; a training run with the default student from the Train click (the first run writes the
// training files), a second run on the files already written; the data path alone (batches of the default shapes
// read from the files, no model) in the kernel lab; evaluation after a reload (no student: BM25 over the whole
// collection, its index built into files on the first evaluation and opened on the second, the teacher, metrics);
// the training worker's peak memory (JS heap + array buffers, DevTools) through training and through evaluation.
// Usage: npm run bench:scale [-- --passages 1000000 --queries 100000 --triples 2000000 --dev-queries 200 --steps 10 --port 5180]
import { statfsSync, statSync } from 'node:fs';
import { flagsOrExit } from '../scripts/flags.mjs';
import { launchStudio } from '../scripts/studio-browser.mjs';
import { openLab } from '../scripts/lab.mjs';
import { WorkerMemory } from '../scripts/worker-memory.mjs';
import { clockLog, collectionFile, OUT, profileDir, rng, writeLines } from './lib.mjs';

const args = flagsOrExit('npm run bench:scale --', {
  passages: { type: 'integer', min: 2, default: 1_000_000, help: 'passages in the generated collection' },
  queries: { type: 'integer', min: 2, default: 100_000, help: 'training queries' },
  triples: { type: 'integer', min: 2, default: 2_000_000, help: 'lines of the id-based teacher file' },
  'dev-queries': { type: 'integer', min: 1, default: 200, help: 'dev queries with a qrels line each, evaluated with BM25 over the whole collection' },
  steps: { type: 'integer', min: 5, default: 10, help: 'training steps of each run (losses show every 5)' },
  seconds: { type: 'integer', min: 1, default: 15, help: 'seconds of the data path alone' },
  port: { type: 'integer', help: 'serve on this port (default: 5180, or a free one)' },
});
const { passages: PASSAGES, queries: QUERIES, triples: TRIPLES } = args;
const DEV = args['dev-queries'];

/** @param {number} b */
const mb = (b) => (b / 1e6).toFixed(1);
/** @param {number} x */
const fmt = (x) => Math.round(x).toLocaleString('en-US');

// What the run writes: the input files (≈ 350 bytes a passage, 30 a query, 45 a teacher line), IndexedDB's copy
// (text and 32-bit tokens, ≈ 800 bytes a passage, 20 a triple) and the training files (≈ 300 bytes a passage at
// 16-bit tokens, 20 a triple) and the BM25 index (≈ 260 bytes a passage, and as much again while its segments are
// merged), with room to spare.
const needed = 1.5 * (PASSAGES * (350 + 800 + 300 + 520) + QUERIES * 200 + TRIPLES * (45 + 20 + 20));
const disk = statfsSync(OUT);
const free = disk.bavail * disk.bsize;
if (free < needed) {
  console.log(`bench:scale needs about ${mb(needed)} MB of free disk for ${fmt(PASSAGES)} passages and ${fmt(TRIPLES)} triples; ${mb(free)} MB are free under bench/out. Free some space or choose a smaller --passages / --triples.`);
  process.exit(1);
}

const log = clockLog(Date.now());
log(`generating files in bench/out (kept for later runs): ${fmt(PASSAGES)} passages, ${fmt(QUERIES)} queries, ${fmt(TRIPLES)} teacher lines…`);
const collection = await collectionFile(PASSAGES);
const queriesPath = `${OUT}/scale-queries-${QUERIES}.tsv`;
const teacherPath = `${OUT}/scale-teacher-${PASSAGES}-${QUERIES}-${TRIPLES}.tsv`;
{
  const r = rng(23);
  const syll = ['what', 'is', 'the', 'how', 'to', 'ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti'];
  await writeLines(queriesPath, QUERIES, (i) => `${1_000_000 + i}\t${Array.from({ length: 3 + Math.floor(r() * 6) }, () => syll[Math.floor(r() * syll.length)]).join(' ')}?\n`);
  const t = rng(29);
  await writeLines(teacherPath, TRIPLES, () => {
    const pos = 8 + t() * 6;
    return `${pos.toFixed(4)}\t${(pos - t() * 12).toFixed(4)}\t${1_000_000 + Math.floor(t() * QUERIES)}\t${Math.floor(t() * PASSAGES)}\t${Math.floor(t() * PASSAGES)}\n`;
  });
}
const devPath = `${OUT}/scale-dev-queries-${DEV}.tsv`;
const qrelsPath = `${OUT}/scale-qrels-${PASSAGES}-${DEV}.tsv`;
{
  const r = rng(31);
  const words = ['what', 'is', 'the', 'how', 'to', 'ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'be', 'da', 'ge'];
  await writeLines(devPath, DEV, (i) => `${5_000_000 + i}\t${Array.from({ length: 3 + Math.floor(r() * 6) }, () => words[Math.floor(r() * words.length)]).join(' ')}?\n`);
  const q = rng(37);
  await writeLines(qrelsPath, DEV, (i) => `${5_000_000 + i}\t0\t${Math.floor(q() * PASSAGES)}\t1\n`);
}
const files = [collection, queriesPath, devPath, qrelsPath, teacherPath];
log(`input: ${files.map((f) => `${f.split('/').pop()} ${mb(statSync(f).size)} MB`).join(', ')}`);

const { studio, page, context, url, close } = await launchStudio({ profile: profileDir('scale'), ...(args.port === undefined ? {} : { port: args.port }), log });
try {
  const memory = await WorkerMemory.attach(page, 'trainer.worker');
  const imported = await studio.data.importFiles(files, 'done', 6 * 3600_000);
  const summary = await studio.data.summary();
  log(`import: ${imported.seconds.toFixed(1)} s, ${fmt(PASSAGES / imported.seconds)} passages/s over the whole selection; stored ${fmt(summary.passages)} passages, ${fmt(summary.queries)} queries, ${fmt(summary.triples)} triples`);
  for (const f of await studio.data.fileReports()) log(`  ${f.file}: ${fmt(f.lines)} lines in ${f.seconds.toFixed(1)} s (${fmt(f.lines / f.seconds)} lines/s in the import worker)`);

  // The default student and shapes; no dev evaluation (it reads whole tables), few steps.
  await studio.train.configure({ 'config-steps': args.steps, 'config-eval-every': 0 });
  /** @param {string} label */
  const timedRun = async (label) => {
    const t0 = Date.now();
    await studio.train.start();
    let running = NaN;
    memory.watch(200);
    await studio.train.waitForState(['running', 'done', 'error'], 6 * 3600_000);
    running = (Date.now() - t0) / 1000;
    await studio.train.waitForStep(5, 3600_000);
    const firstLosses = (Date.now() - t0) / 1000;
    await studio.train.waitForState('done', 3600_000);
    const total = (Date.now() - t0) / 1000;
    const throughput = await studio.number('throughput');
    log(`${label}: Train → running ${running.toFixed(1)} s, → first losses (step 5) ${firstLosses.toFixed(1)} s, ${args.steps} steps done at ${total.toFixed(1)} s; ${throughput ?? '?'} triples/s training on SwiftShader`);
  };
  memory.peak = 0;
  await timedRun('first run (writes the training files)');
  await timedRun('second run (files already written)');
  const peak = memory.stop();
  await memory.collectGarbage();
  const after = await memory.sample();
  log(`training worker: peak ${mb(peak)} MB (JS heap + array buffers, sampled every 200 ms through both runs); ${mb(after.total)} MB after garbage collection`);

  const lab = await context.newPage();
  await openLab(lab, url);
  const dataPath = await lab.evaluate(({ id, seconds }) => {
    const marginLab = window.marginLab;
    if (!marginLab) throw new Error('the kernel lab did not load');
    return marginLab.dataPath(id, seconds);
  }, { id: summary.dataset, seconds: args.seconds });
  log(
    `data path alone: ${fmt(dataPath.triplesPerSecond)} triples/s (${fmt(dataPath.batches)} batches of ${dataPath.batchSize}, query ${dataPath.queryLength} / passage ${dataPath.passageLength} tokens, in ${dataPath.seconds.toFixed(1)} s); ` +
      `opening the files ${dataPath.openSeconds.toFixed(2)} s, splitting the probe set and shuffling an epoch ${dataPath.samplerSeconds.toFixed(2)} s`,
  );

  // Evaluation as a person runs it after reopening the tab (no student): BM25 over the whole collection (its index
  // built into files from the stored chunks on the first evaluation, opened from them on the second), the teacher's
  // scores of the dev queries read chunk by chunk, metrics; the training worker's memory sampled throughout.
  await lab.close();
  for (const label of ['first evaluation (builds the BM25 index)', 'second evaluation (index already written)']) {
    await studio.reload();
    const evalMemory = await WorkerMemory.attach(page, 'trainer.worker');
    evalMemory.watch(200);
    const t0 = Date.now();
    const rows = await studio.evaluation.run({ timeout: 6 * 3600_000 });
    const seconds = (Date.now() - t0) / 1000;
    const evalPeak = evalMemory.stop();
    const timing = await studio.evaluation.timing();
    const bm25 = rows.find((r) => r.system === 'bm25');
    log(
      `${label}: ${seconds.toFixed(1)} s from the click; BM25 index ${timing.bm25IndexSeconds > 0 ? `built in ${timing.bm25IndexSeconds.toFixed(1)} s` : 'opened from its files'}; ` +
        `top 1000 of ${fmt(PASSAGES)} passages in ${(timing.bm25SecondsPerQuery * 1000).toFixed(1)} ms per query (${bm25?.queries ?? '?'} dev queries); worker peak ${mb(evalPeak)} MB`,
    );
  }
} finally {
  await close();
}
process.exit(0);
