// Import speed and memory in headless Chromium: a generated id-based teacher file and a generated collection,
// each imported end to end through the page (file input → worker → IndexedDB on disk), at full and half size so
// that peak heap can be compared across file sizes. Python's csv module reads the same teacher file as a reference.
// Usage: npm run bench:ingest [-- --teacher-lines 2000000 --passages 500000 --only teacher|collection --port 5180]
// Needs the built app (npm run bench:ingest builds it) and Chromium (node scripts/ensure-chromium.mjs).
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { flagsOrExit } from '../scripts/flags.mjs';
import { launchStudio } from '../scripts/studio-browser.mjs';
import { collectionFile, OUT, profileDir, rng, writeLines } from './lib.mjs';

const args = flagsOrExit('npm run bench:ingest --', {
  'teacher-lines': { type: 'integer', min: 2, default: 2_000_000, help: 'lines of the full teacher file (the half file has half)' },
  passages: { type: 'integer', min: 2, default: 500_000, help: 'passages of the full collection (the half one has half)' },
  only: { choices: ['teacher', 'collection'], help: 'import only these files' },
  port: { type: 'integer', help: 'serve on this port (default: 5180, or a free one)' },
});
const TEACHER_LINES = args['teacher-lines'];
const PASSAGES = args.passages;

/**
 * The paper's id-based layout; MS MARCO-like id ranges, logit-like scores.
 * @param {number} lines
 * @returns {Promise<string>} the file's path
 */
function teacherFile(lines) {
  const path = `${OUT}/ingest-teacher-${lines}.tsv`;
  const r = rng(7);
  return writeLines(path, lines, () => {
    const pos = 8 + r() * 6;
    const neg = pos - r() * 12;
    return `${pos.toFixed(4)}\t${neg.toFixed(4)}\t${Math.floor(r() * 800_000)}\t${Math.floor(r() * 8_800_000)}\t${Math.floor(r() * 8_800_000)}\n`;
  }).then(() => path);
}

/**
 * @param {string} path
 * @returns {{ lines: number, read_s: number, parse_s: number, python: string }}
 */
function pythonCsvReference(path) {
  const script = `
import csv, json, sys, time
path = sys.argv[1]
t = time.perf_counter(); n = 0
with open(path, newline='') as f:
    for row in csv.reader(f, delimiter='\\t'):
        n += 1
read_only = time.perf_counter() - t
t = time.perf_counter(); m = 0
with open(path, newline='') as f:
    for row in csv.reader(f, delimiter='\\t'):
        float(row[0]); float(row[1]); int(row[2]); int(row[3]); int(row[4]); m += 1
parsed = time.perf_counter() - t
print(json.dumps({"lines": n, "read_s": read_only, "parse_s": parsed, "python": sys.version.split()[0]}))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' }));
}

/** @typedef {{ page: number, worker: number }} Heap */

/**
 * Samples the JS heap of the import worker and of the page through the DevTools protocol.
 * @param {import('@playwright/test').Page} page
 * @returns {Promise<{ sample: () => Promise<Heap> }>}
 */
async function heapSampler(page) {
  const cdp = await page.context().newCDPSession(page);
  /** @type {Map<string, string>} */
  const workers = new Map();
  /** @type {Map<number, (result: { usedSize?: number } | null) => void>} */
  const waiting = new Map();
  let nextId = 1;
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') workers.set(e.sessionId, e.targetInfo.url);
  });
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const msg = JSON.parse(e.message);
    waiting.get(msg.id)?.(msg.result);
    waiting.delete(msg.id);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  /**
   * @param {string} sessionId
   * @returns {Promise<{ usedSize?: number } | null>}
   */
  const ask = (sessionId) =>
    new Promise((done) => {
      const id = nextId++;
      waiting.set(id, done);
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) }).catch(() => done(null));
    });
  return {
    async sample() {
      const page = await cdp.send('Runtime.getHeapUsage');
      let worker = 0;
      for (const [sessionId, url] of workers) if (url.includes('import')) worker = Math.max(worker, (await ask(sessionId))?.usedSize ?? 0);
      return { page: page.usedSize, worker };
    },
  };
}

/**
 * Imports one file through the page, sampling the heap meanwhile, then deletes the dataset again.
 * @param {import('../scripts/studio-page.mjs').StudioPage} studio
 * @param {{ sample: () => Promise<Heap> }} sampler
 * @param {string} path
 * @param {'teacher' | 'collection'} kind
 */
async function importOnce(studio, sampler, path, kind) {
  const before = await sampler.sample();
  let peak = { ...before };
  let running = true;
  const sampling = (async () => {
    while (running) {
      const s = await sampler.sample();
      peak = { page: Math.max(peak.page, s.page), worker: Math.max(peak.worker, s.worker) };
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  // Timed by the page's own clock, from the file input's change event to import-status leaving `running`
  // (Playwright's waits poll at up to 500 ms, too coarse for imports of a second or two).
  const { state, error, seconds } = await studio.data.importFiles(path, 'any', 1_800_000).finally(() => {
    running = false;
  });
  await sampling;
  if (state !== 'done') throw new Error(`${kind}: import ended in ${state}: ${error}`);
  const report = (await studio.data.fileReports())[0];
  const lines = report?.lines ?? NaN;
  const workerSeconds = report?.seconds ?? NaN;
  const summary = await studio.data.summary();
  const stored = kind === 'teacher' ? summary.triples : summary.passages;
  const bytes = statSync(path).size;
  // Remove it again through the storage screen, so that each run starts from the same storage.
  await studio.data.deleteDataset(summary.dataset);
  return { lines, stored, bytes, seconds, workerSeconds, before, peak };
}

/** @param {number} b */
const mb = (b) => (b / 1e6).toFixed(1);
/** @param {number} x */
const fmtRate = (x) => Math.round(x).toLocaleString('en-US');

console.log(`generating files in bench/out (kept for later runs)…`);
const files = {
  teacherFull: await teacherFile(TEACHER_LINES),
  teacherHalf: await teacherFile(Math.floor(TEACHER_LINES / 2)),
  collectionFull: await collectionFile(PASSAGES),
  collectionHalf: await collectionFile(Math.floor(PASSAGES / 2)),
};

// A persistent profile, so that IndexedDB writes go to disk as they do for a person (not to incognito memory).
// Imports do not need WebGPU: Chromium as a person has it.
const { studio, close } = await launchStudio({ profile: profileDir('ingest'), gpu: 'off', ...(args.port === undefined ? {} : { port: args.port }) });
try {
  const sampler = await heapSampler(studio.page);
  /** @type {[string, string][]} */
  const chosen = [
    ['teacher ids, half', files.teacherHalf],
    ['teacher ids, full', files.teacherFull],
    ['collection, half', files.collectionHalf],
    ['collection, full', files.collectionFull],
  ];
  for (const [label, path] of chosen.filter(([label]) => !args.only || label.startsWith(args.only))) {
    const r = await importOnce(studio, sampler, path, label.startsWith('teacher') ? 'teacher' : 'collection');
    console.log(
      `${label.padEnd(18)} ${String(r.lines).padStart(9)} lines ${mb(r.bytes).padStart(6)} MB in ${r.seconds.toFixed(2)} s: ` +
        `${fmtRate(r.lines / r.seconds)} lines/s, ${(r.bytes / 1e6 / r.seconds).toFixed(1)} MB/s ` +
        `(in the worker: ${r.workerSeconds.toFixed(2)} s, ${fmtRate(r.lines / r.workerSeconds)} lines/s); stored ${r.stored} rows; ` +
        `peak JS heap: import worker ${mb(r.peak.worker)} MB (before ${mb(r.before.worker)}), page ${mb(r.peak.page)} MB`,
    );
  }
} finally {
  await close();
}

const py = args.only === 'collection' ? null : pythonCsvReference(files.teacherFull);
if (py) console.log(
  `python ${py.python} csv.reader on the full teacher file: ${fmtRate(py.lines / py.read_s)} lines/s reading rows only (${py.read_s.toFixed(2)} s), ` +
    `${fmtRate(py.lines / py.parse_s)} lines/s with float/int conversion (${py.parse_s.toFixed(2)} s)`,
);
process.exit(0);
