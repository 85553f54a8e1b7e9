// Import speed and memory in headless Chromium: a generated id-based teacher file and a generated collection,
// each imported end to end through the page (file input → worker → IndexedDB on disk), at full and half size so
// that peak heap can be compared across file sizes. Python's csv module reads the same teacher file as a reference.
// Usage: npm run bench:ingest [-- --teacher-lines 2000000 --passages 500000 --only teacher|collection --port 4175]
// Needs the built app (npm run build does it) and Chromium (node scripts/ensure-chromium.mjs).
import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { chromiumPath, offlineArgs } from '../scripts/chromium.mjs';
import { collectionFile, flags, OUT, rng, servePreview, writeLines } from './lib.mjs';

const args = flags();
const TEACHER_LINES = Number(args['teacher-lines'] ?? 2_000_000);
const PASSAGES = Number(args.passages ?? 500_000);

/** The paper's id-based layout; MS MARCO-like id ranges, logit-like scores. */
function teacherFile(lines) {
  const path = `${OUT}/ingest-teacher-${lines}.tsv`;
  const r = rng(7);
  return writeLines(path, lines, () => {
    const pos = 8 + r() * 6;
    const neg = pos - r() * 12;
    return `${pos.toFixed(4)}\t${neg.toFixed(4)}\t${Math.floor(r() * 800_000)}\t${Math.floor(r() * 8_800_000)}\t${Math.floor(r() * 8_800_000)}\n`;
  }).then(() => path);
}

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

/** Samples the JS heap of the import worker and of the page through the DevTools protocol. */
async function heapSampler(page) {
  const cdp = await page.context().newCDPSession(page);
  const workers = new Map();
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

async function importOnce(page, sampler, path, label) {
  const get = (id) => page.getByTestId(id);
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
  await page.evaluate(() => {
    const clock = (window.__importClock = {});
    document.addEventListener('change', (e) => e.target?.dataset?.testid === 'import-files' && (clock.start = performance.now()), { capture: true, once: true });
    const status = document.querySelector('[data-testid="import-status"]');
    const watch = new MutationObserver(() => {
      const state = status.getAttribute('data-state');
      if (state === 'running') clock.running = true;
      else if (clock.running) {
        clock.end = performance.now();
        watch.disconnect();
      }
    });
    watch.observe(status, { attributes: true, attributeFilter: ['data-state'] });
  });
  await get('import-files').setInputFiles(path);
  await page.waitForFunction(() => window.__importClock.end !== undefined, null, { timeout: 1_800_000, polling: 100 });
  const clock = await page.evaluate(() => window.__importClock);
  const seconds = (clock.end - clock.start) / 1000;
  running = false;
  await sampling;
  const state = await get('import-status').getAttribute('data-state');
  if (state !== 'done') throw new Error(`${label}: import ended in ${state}: ${await get('import-error').textContent()}`);
  const report = get('file-report').first();
  const lines = Number(await report.getAttribute('data-lines'));
  const workerSeconds = Number(await report.getAttribute('data-seconds'));
  const stored = Number(await get('dataset-summary').getAttribute(label.startsWith('teacher') ? 'data-triples' : 'data-passages'));
  const bytes = statSync(path).size;
  // Remove it again through the storage screen, so that each run starts from the same storage.
  const id = await get('dataset-summary').getAttribute('data-dataset');
  await page.locator(`[data-testid="storage-row"][data-dataset="${id}"] [data-testid="storage-delete"]`).click();
  await page.locator(`[data-testid="storage-row"][data-dataset="${id}"] [data-testid="storage-delete-confirm"]`).click();
  await page.locator(`[data-testid="storage-row"][data-dataset="${id}"]`).waitFor({ state: 'detached' });
  return { label, lines, stored, bytes, seconds, workerSeconds, before, peak };
}

const mb = (b) => (b / 1e6).toFixed(1);
const fmtRate = (x) => Math.round(x).toLocaleString('en-US');

console.log(`generating files in bench/out (kept for later runs)…`);
const files = {
  teacherFull: await teacherFile(TEACHER_LINES),
  teacherHalf: await teacherFile(TEACHER_LINES / 2),
  collectionFull: await collectionFile(PASSAGES),
  collectionHalf: await collectionFile(PASSAGES / 2),
};

const url = await servePreview(Number(args.port ?? 4175));
const profile = `${OUT}/ingest-profile`;
rmSync(profile, { recursive: true, force: true });
// A persistent profile, so that IndexedDB writes go to disk as they do for a person (not to incognito memory).
const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath(), headless: true, args: offlineArgs });
const results = [];
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  await page.locator('[data-testid="dataset-summary"][data-passages="2000"]').waitFor({ timeout: 120_000 });
  const sampler = await heapSampler(page);
  for (const [label, path] of [
    ['teacher ids, half', files.teacherHalf],
    ['teacher ids, full', files.teacherFull],
    ['collection, half', files.collectionHalf],
    ['collection, full', files.collectionFull],
  ].filter(([label]) => !args.only || label.startsWith(args.only))) {
    const r = await importOnce(page, sampler, path, label.startsWith('teacher') ? 'teacher' : 'collection');
    r.label = label;
    results.push(r);
    console.log(
      `${label.padEnd(18)} ${String(r.lines).padStart(9)} lines ${mb(r.bytes).padStart(6)} MB in ${r.seconds.toFixed(2)} s: ` +
        `${fmtRate(r.lines / r.seconds)} lines/s, ${(r.bytes / 1e6 / r.seconds).toFixed(1)} MB/s ` +
        `(in the worker: ${r.workerSeconds.toFixed(2)} s, ${fmtRate(r.lines / r.workerSeconds)} lines/s); stored ${r.stored} rows; ` +
        `peak JS heap: import worker ${mb(r.peak.worker)} MB (before ${mb(r.before.worker)}), page ${mb(r.peak.page)} MB`,
    );
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

const py = args.only === 'collection' ? null : pythonCsvReference(files.teacherFull);
if (py) console.log(
  `python ${py.python} csv.reader on the full teacher file: ${fmtRate(py.lines / py.read_s)} lines/s reading rows only (${py.read_s.toFixed(2)} s), ` +
    `${fmtRate(py.lines / py.parse_s)} lines/s with float/int conversion (${py.parse_s.toFixed(2)} s)`,
);
