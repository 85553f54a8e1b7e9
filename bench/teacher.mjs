// Teacher triples for your own data (issue 24), measured in headless Chromium (WebGPU; SwiftShader without a GPU):
// 1. throughput: the MS MARCO sample's collection, queries and qrels imported without a teacher file, a cross-encoder
//    imported into the model library, teacher triples made (BM25 negatives, ranks 1–50, 4 per positive: 50 pairs)
//    with hf-tiny's `bert-cross-encoder` and with a generated MiniLM-L6-shaped cross-encoder (random weights,
//    bert-base-uncased's vocabulary); pairs/s over the scoring phase, timed from the page's own progress;
// 2. side by side: the same pairs scored by sentence-transformers' CrossEncoder in PyTorch on this CPU (raw logits),
//    pairs/s and the largest difference from the studio's scores (the downloaded TSV);
// 3. memory: the training worker's peak (JS heap + array buffers) while making triples from a generated collection
//    with a TREC run as the negative source, at growing numbers of pairs (queries × 10).
//
// Usage: npm run bench:teacher [-- --max-length 128 --memory-pairs 10000,100000,1000000 --memory-passages 100000
//          --memory-minutes 25 --skip-memory yes --python PYTHON --port 5190]
// --python names an interpreter with sentence-transformers (default: bench/torch/setup.mjs's Python with torch ≥ 2,
// when it has sentence-transformers); without one part 2 is skipped, and the script says so.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flagsOrExit } from '../scripts/flags.mjs';
import { launchStudio } from '../scripts/studio-browser.mjs';
import { WorkerMemory } from '../scripts/worker-memory.mjs';
import { OUT, clockLog, collectionFile, profileDir, rng, torchPython, withSources, writeLines } from './lib.mjs';

const args = flagsOrExit('npm run bench:teacher --', {
  'max-length': { type: 'integer', min: 8, default: 128, help: "the MiniLM-shaped teacher's pair max length (tokens)" },
  'fixture-max-length': { type: 'integer', min: 8, default: 64, help: "hf-tiny bert-cross-encoder's pair max length" },
  'memory-pairs': { type: 'list', default: ['10000', '100000', '1000000'], help: 'pair counts of the memory part (queries × 10)' },
  'memory-passages': { type: 'integer', min: 20, default: 100_000, help: 'passages of the memory part\'s generated collection' },
  'memory-max-length': { type: 'integer', min: 8, default: 32, help: 'pair max length of the memory part' },
  'memory-minutes': { type: 'number', min: 0, default: 25, help: 'skip a memory size whose scoring the last rate says would take longer' },
  'skip-memory': { choices: ['yes', 'no'], default: 'no', help: 'leave the memory part out' },
  'skip-throughput': { choices: ['yes', 'no'], default: 'no', help: 'leave parts 1 and 2 out' },
  'torch-batch': { type: 'integer', min: 1, default: 32, help: "CrossEncoder.predict's batch_size" },
  python: { value: 'PYTHON', help: 'a Python with sentence-transformers, for the side-by-side part' },
  port: { type: 'integer', help: 'serve on this port (default: 5180, or a free one)' },
});
const memoryPairs = args['memory-pairs'].map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 10 || n % 10 !== 0) {
    console.error(`--memory-pairs: ${s} is not a whole multiple of 10 (pairs are queries × 10)`);
    process.exit(2);
  }
  return n;
});

const log = clockLog(Date.now());
/** @param {number} b */
const mb = (b) => (b / 1e6).toFixed(1);
/** @param {number} x */
const fmt = (x) => Math.round(x).toLocaleString('en-US');

const { FIXTURES, vocab, writeModelFolder, parameterCount } = await withSources(
  /** @type {const} */ (['/src/testing/model-folders.ts', '/src/testing/fixtures.ts', '/src/text/wordpiece.ts']),
  async ([folders, { FIXTURES }, { bertBaseUncasedVocab }]) => ({
    writeModelFolder: /** @type {typeof import('../src/testing/model-folders').writeModelFolder} */ (folders.writeModelFolder),
    parameterCount: /** @type {typeof import('../src/testing/model-folders').parameterCount} */ (folders.parameterCount),
    FIXTURES: /** @type {string} */ (FIXTURES),
    vocab: /** @type {string[]} */ (await bertBaseUncasedVocab()),
  }),
);
const SAMPLE = join(FIXTURES, 'msmarco-sample');
/** A person's own data: texts and judgements, no teacher file. */
const PLAIN = ['collection.tsv', 'queries.tsv', 'qrels.tsv'].map((f) => join(SAMPLE, f));
/** The issue's job: BM25 negatives, 4 per positive from ranks 1–50. */
const JOB = { 'teacher-source': 'bm25', 'teacher-from-rank': 1, 'teacher-to-rank': 50, 'teacher-per-positive': 4, 'teacher-seed': 7 };

/**
 * The page's teacher progress as it is shown, each change stamped with the page's clock, and the moment the job's
 * status turns done; read with `timeline()`.
 * @param {import('@playwright/test').Page} page
 */
async function recordProgress(page) {
  await page.evaluate(() => {
    const w = /** @type {Record<string, any>} */ (/** @type {unknown} */ (window));
    w.__teacherObserver?.disconnect();
    /** @type {{ t: number, phase: string, done: number, total: number }[]} */
    const events = [];
    w.__teacherTimeline = events;
    const read = () => {
      const el = document.querySelector('[data-testid="teacher-progress"]');
      const state = document.querySelector('[data-testid="teacher-status"]')?.getAttribute('data-state');
      const rec = el
        ? { t: performance.now(), phase: el.getAttribute('data-phase') ?? '', done: Number(el.getAttribute('data-done')), total: Number(el.getAttribute('data-total')) }
        : { t: performance.now(), phase: state === 'done' || state === 'error' ? state : '', done: 0, total: 0 };
      const last = events[events.length - 1];
      if (rec.phase && (!last || last.phase !== rec.phase || last.done !== rec.done)) events.push(rec);
    };
    w.__teacherObserver = new MutationObserver(read);
    w.__teacherObserver.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase', 'data-done', 'data-total', 'data-state'] });
  });
}

/**
 * The scoring phase from the recorded progress: `seconds` from its first event to all pairs scored (the teacher's
 * passage rows and weights loaded on the way), `steadyRate` from the first block scored after loading to the last.
 * @param {import('@playwright/test').Page} page
 */
async function scoringTimes(page) {
  /** @type {{ t: number, phase: string, done: number, total: number }[]} */
  const events = await page.evaluate(() => /** @type {any} */ (window).__teacherTimeline ?? []);
  const start = events.findIndex((e) => e.phase === 'scoring');
  if (start < 0) throw new Error(`no scoring progress was seen (${events.map((e) => e.phase).join(', ')})`);
  const total = events[start]?.total ?? 0;
  const endAt = events.findIndex((e, i) => i > start && ((e.phase === 'scoring' && e.done >= total) || ['writing', 'copying', 'done'].includes(e.phase)));
  const end = events[endAt];
  if (!end) throw new Error('the scoring phase never ended');
  const t0 = /** @type {{ t: number }} */ (events[start]).t;
  const scored = events.filter((e, i) => i > start && i <= endAt && e.phase === 'scoring');
  const loaded = events.slice(start, endAt).filter((e) => e.phase === 'tokenizing').pop();
  const first = scored[0];
  const last = scored[scored.length - 1];
  const steadyRate = first && last && last !== first ? (last.done - first.done) / ((last.t - first.t) / 1000) : null;
  const phases = [...new Set(events.map((e) => e.phase))].map((p) => `${p} +${((/** @type {{ t: number }} */ (events.find((e) => e.phase === p)).t - /** @type {{ t: number }} */ (events[0]).t) / 1000).toFixed(1)} s`);
  return { total, seconds: (end.t - t0) / 1000, afterLoad: loaded ? (end.t - loaded.t) / 1000 : null, steadyRate, phases };
}

/**
 * Makes triples on the active dataset with one teacher and waits for them; the timings of the scoring phase.
 * @param {import('../scripts/studio-page.mjs').StudioPage} studio
 * @param {import('@playwright/test').Page} page
 * @param {string} teacher
 * @param {Record<string, string | number>} fields
 * @param {number} timeout
 */
async function makeTriples(studio, page, teacher, fields, timeout) {
  await studio.teacher.configure([teacher], fields);
  await recordProgress(page);
  const t0 = Date.now();
  await studio.teacher.start();
  const status = await studio.teacher.waitForEnd(timeout);
  return { status, jobSeconds: (Date.now() - t0) / 1000, ...(await scoringTimes(page)) };
}

// ---- 1 and 2: throughput, and CrossEncoder side by side ----

const work = join(OUT, 'teacher');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
/** @type {{ name: string, folder: string, maxLength: number, what: string }[]} */
const teachers = [];
if (args['skip-throughput'] === 'no') {
  teachers.push({ name: 'bert-cross-encoder', folder: join(FIXTURES, 'hf-tiny', 'bert-cross-encoder'), maxLength: args['fixture-max-length'], what: 'hf-tiny bert-cross-encoder (hidden 32, 2 layers)' });
  const folder = join(work, 'minilm-l6-cross-encoder');
  /** @type {import('../src/testing/model-folders').FolderShape} */
  const shape = { type: 'bert', layers: 6, hidden: 384, heads: 12, ffn: 1536, vocabSize: vocab.length, maxPositions: 512 };
  const bytes = writeModelFolder(folder, shape, 'F32', { vocab, trainedNorms: true, kind: 'cross-encoder' });
  log(`MiniLM-L6-shaped cross-encoder written: BertForSequenceClassification, hidden 384, 6 layers, 12 heads, ffn 1536, vocabulary ${fmt(vocab.length)}, ${(parameterCount(shape, 'cross-encoder') / 1e6).toFixed(1)}M parameters, ${mb(bytes)} MB of F32 (random weights)`);
  teachers.push({ name: 'minilm-l6-cross-encoder', folder, maxLength: args['max-length'], what: 'MiniLM-L6-shaped cross-encoder (hidden 384, 6 layers)' });
}

const { studio, page, close } = await launchStudio({ profile: profileDir('teacher'), ...(args.port === undefined ? {} : { port: args.port }), log });
/** @type {string[]} */
const failures = [];
try {
  /** @type {{ name: string, folder: string, maxLength: number, what: string, tsv: string }[]} */
  const made = [];
  if (teachers.length > 0) {
    await studio.data.importFiles(PLAIN);
    const plain = await studio.data.summary();
    log(`MS MARCO sample imported without a teacher file: ${plain.passages} passages, ${plain.queries} queries, ${plain.qrels} qrels`);
    for (const t of teachers) {
      await studio.models.importFolder(t.folder, 'done', 900_000);
      await studio.fill({ 'dataset-select': plain.dataset });
      // Queries are kept whole (query tokens = max length), so the pair is cut longest-first only, as CrossEncoder cuts it.
      const r = await makeTriples(studio, page, t.name, { ...JOB, 'teacher-max-length': t.maxLength, 'teacher-query-tokens': t.maxLength }, 3_600_000);
      console.log(
        `throughput, ${t.what}, max length ${t.maxLength}: ${r.total} pairs → ${r.status.triples} triples; scoring phase ${r.seconds.toFixed(1)} s = ${(r.total / r.seconds).toFixed(2)} pairs/s ` +
          `(the teacher's passage rows and weights loaded inside it; ${r.afterLoad === null ? 'no tokenizing step seen' : `${(r.total / r.afterLoad).toFixed(2)} pairs/s from the end of tokenizing`}); whole job ${r.jobSeconds.toFixed(1)} s [${r.phases.join(', ')}]`,
      );
      made.push({ ...t, tsv: await studio.teacher.downloadTsv() });
    }

    const python = args.python ?? torchPython();
    const usable = python !== null && spawnSync(python, ['-c', 'import sentence_transformers'], { stdio: 'ignore' }).status === 0;
    if (!usable) {
      console.log(`side by side: skipped, ${python === null ? 'no Python with torch ≥ 2' : `${python} has no sentence_transformers`} (give --python with sentence-transformers installed)`);
    } else {
      /** @param {string} file */
      const texts = (file) => new Map(readFileSync(join(SAMPLE, file), 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('\t')), l.slice(l.indexOf('\t') + 1)]));
      const queries = texts('queries.tsv');
      const passages = texts('collection.tsv');
      for (const t of made) {
        // Each (query, passage) pair once: a positive's score repeats in each of its triples.
        /** @type {Map<string, { qid: string, pid: string, score: number }>} */
        const pairs = new Map();
        for (const line of t.tsv.trim().split('\n')) {
          const [pos, neg, qid, p, n] = line.split('\t');
          for (const [pid, score] of /** @type {const} */ ([[p, pos], [n, neg]])) if (!pairs.has(`${qid} ${pid}`)) pairs.set(`${qid} ${pid}`, { qid: qid ?? '', pid: pid ?? '', score: Number(score) });
        }
        const list = [...pairs.values()];
        const request = join(work, `${t.name}-pairs.json`);
        writeFileSync(request, JSON.stringify({ folder: t.folder, max_length: t.maxLength, batch_size: args['torch-batch'], repeats: 5, pairs: list.map((x) => [queries.get(x.qid) ?? '', passages.get(x.pid) ?? '']) }));
        const run = spawnSync(python, ['bench/torch/cross_encoder.py', request], { encoding: 'utf8', maxBuffer: 64 << 20 });
        if (run.status !== 0) throw new Error(`CrossEncoder could not score the pairs: ${run.stderr.trim().split('\n').slice(-3).join(' / ')}`);
        /** @type {{ scores: number[], seconds: number[], lengths: number[], versions: Record<string, string | number> }} */
        const theirs = JSON.parse(run.stdout.trim().split('\n').pop() ?? '');
        const abs = list.map((x, i) => Math.abs(x.score - (theirs.scores[i] ?? Number.NaN)));
        const maxAbs = Math.max(...abs);
        // Per pair relative to max(1, |score|), as the fixture test compares; random weights put scores near 0.
        const maxRel = Math.max(...list.map((_, i) => (abs[i] ?? Number.NaN) / Math.max(1, Math.abs(theirs.scores[i] ?? 0))));
        const scale = Math.max(...theirs.scores.map(Math.abs));
        const spread = Math.max(...theirs.scores) - Math.min(...theirs.scores);
        const best = Math.min(...theirs.seconds);
        console.log(
          `side by side, ${t.what}, max length ${t.maxLength}: CrossEncoder (sentence-transformers ${theirs.versions.sentence_transformers}, torch ${theirs.versions.torch}, ${theirs.versions.threads} threads, batch ${args['torch-batch']}) ` +
            `${(list.length / best).toFixed(1)} pairs/s (best of ${theirs.seconds.length}: ${theirs.seconds.map((s) => s.toFixed(3)).join(', ')} s for ${list.length} pairs, ${(theirs.lengths.reduce((a, b) => a + b, 0) / list.length).toFixed(0)} tokens a pair on average and ${Math.max(...theirs.lengths)} at most after the cut, where the studio pads every pair to ${t.maxLength}); ` +
            `largest |studio − CrossEncoder| ${maxAbs.toExponential(2)}, ${(maxAbs / scale).toExponential(2)} of the largest |score| (${scale.toExponential(2)}; scores span ${spread.toExponential(2)})`,
        );
        if (!(maxRel < 1e-4)) failures.push(`${t.name}: the studio's scores differ from CrossEncoder's by up to ${maxAbs} (${maxRel} relative to max(1, |score|))`);
      }
    }
  }

  // ---- 3: memory while making triples at growing sizes ----

  if (args['skip-memory'] === 'no') {
    const P = args['memory-passages'];
    const collection = await collectionFile(P);
    await studio.models.importFolder(join(FIXTURES, 'hf-tiny', 'bert-cross-encoder'), 'done', 600_000);
    /** @type {number | null} */
    let rate = null;
    for (const pairs of memoryPairs) {
      const Q = pairs / 10;
      if (rate !== null && pairs / rate / 60 > args['memory-minutes']) {
        console.log(`memory, ${fmt(pairs)} pairs: not run; scoring them would take about ${(pairs / rate / 60).toFixed(0)} min at the ${rate.toFixed(0)} pairs/s just measured, over --memory-minutes ${args['memory-minutes']}`);
        continue;
      }
      // Per query one positive and a run of 10 other passages (ranks 1–10); 9 negatives drawn from it: 10 pairs.
      const files = [`memory-queries-${Q}.tsv`, `memory-qrels-${P}-${Q}.tsv`, `memory-run-${P}-${Q}.txt`].map((f) => join(OUT, f));
      const [queriesPath, qrelsPath, runPath] = /** @type {[string, string, string]} */ (files);
      const words = ['what', 'is', 'the', 'how', 'to', 'ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'be', 'da', 'ge'];
      const r = rng(41);
      await writeLines(queriesPath, Q, (i) => `${1_000_000 + i}\t${Array.from({ length: 3 + Math.floor(r() * 6) }, () => words[Math.floor(r() * words.length)]).join(' ')}?\n`);
      /** @param {number} i @param {number} k */
      const pidOf = (i, k) => ((Math.imul(i + 1, 2654435761) >>> 0) + k) % P;
      await writeLines(qrelsPath, Q, (i) => `${1_000_000 + i}\t0\t${pidOf(i, 0)}\t1\n`);
      await writeLines(runPath, Q, (i) => Array.from({ length: 10 }, (_, k) => `${1_000_000 + i} Q0 ${pidOf(i, k + 1)} ${k + 1} ${(20 - k).toFixed(2)} gen\n`).join(''));
      await studio.reload();
      const memory = await WorkerMemory.attach(page, 'trainer.worker');
      await studio.data.importFiles([collection, ...files], 'done', 3_600_000);
      const data = await studio.data.summary();
      const before = await memory.collectGarbage().then(() => memory.sample()).catch(() => null);
      memory.peak = 0;
      // Each sample charged to the phase the page shows at that moment: where the peak is reached.
      /** @type {Map<string, number>} */
      const byPhase = new Map();
      const phaseTimer = setInterval(() => {
        void Promise.all([memory.sample(), page.evaluate(() => /** @type {any} */ (window).__teacherTimeline?.at(-1)?.phase ?? 'before scoring')])
          .then(([m, phase]) => void byPhase.set(phase, Math.max(byPhase.get(phase) ?? 0, m.total)))
          .catch(() => undefined);
      }, 200);
      // The peak above counts garbage not yet collected; what the job keeps alive is read after a forced collection.
      let live = 0;
      const liveTimer = setInterval(() => void memory.collectGarbage().then(() => memory.sample()).then((m) => void (live = Math.max(live, m.total))).catch(() => undefined), 10_000);
      const job = await makeTriples(studio, page, 'bert-cross-encoder', { 'teacher-source': 'run', 'teacher-from-rank': 1, 'teacher-to-rank': 10, 'teacher-per-positive': 9, 'teacher-seed': 7, 'teacher-max-length': args['memory-max-length'], 'teacher-query-tokens': args['memory-max-length'] }, 6 * 3_600_000);
      clearInterval(liveTimer);
      clearInterval(phaseTimer);
      const peak = memory.stop();
      const after = await memory.collectGarbage().then(() => memory.sample()).catch(() => null);
      rate = job.steadyRate ?? job.total / job.seconds;
      console.log(
        `memory, ${fmt(job.total)} pairs (${fmt(data.queries)} queries × 10, ${fmt(data.passages)} passages, a ${fmt(data.candidates)}-line run): training worker peak ${mb(peak)} MB (JS heap + array buffers, sampled every 200 ms), ${mb(live)} MB at most after a forced collection (every 10 s), ` +
          `${before ? `${mb(before.total)} MB before the job` : 'no worker before the job'}, ${after ? `${mb(after.total)} MB after it (garbage collected)` : '?'}; ` +
          `${fmt(job.status.triples)} triples; scoring ${(job.total / job.seconds).toFixed(0)} pairs/s over its phase, ${job.steadyRate === null ? '?' : job.steadyRate.toFixed(0)} pairs/s once loaded; job ${job.jobSeconds.toFixed(0)} s [${job.phases.join(', ')}]; peak by phase: ${[...byPhase].map(([p, b]) => `${p} ${mb(b)} MB`).join(', ')}`,
      );
    }
  }
} finally {
  await close();
}
if (failures.length > 0) {
  console.error(failures.join('\n'));
  process.exit(1);
}
process.exit(0);
