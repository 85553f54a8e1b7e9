// The run the real-size issue found hanging, end to end in headless Chromium (WebGPU; SwiftShader without a GPU):
// a MiniLM-L6-shaped BERT folder (random weights, bert-base-uncased's 30,522-word vocabulary) is generated, imported
// into the model library, the MS MARCO sample is tokenized for it, a `dot` student trains from it, "try the student"
// ranks a query, and the Hugging Face export is scored by sentence-transformers against the studio's own scores.
// While it runs the GPU process's resident memory is sampled (on SwiftShader the GPU's memory is that process's) and
// printed beside the memory plan the page shows.
//
// Usage: npm run bench:real-run [-- --hidden 384 --layers 6 --heads 12 --ffn 1536 --batch 8 --micro-batch 0
//          --query 16 --passage 64 --steps 3 --python PYTHON --port 5180]
// --python names an interpreter with sentence-transformers (default: python3 when it has it); without one the export
// is not scored outside the studio, and the script says so.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { flagsOrExit } from '../scripts/flags.mjs';
import { launchStudio } from '../scripts/studio-browser.mjs';
import { OUT, clockLog, profileDir, withSources } from './lib.mjs';

const args = flagsOrExit('npm run bench:real-run --', {
  hidden: { type: 'integer', min: 8, default: 384 },
  layers: { type: 'integer', min: 1, default: 6 },
  heads: { type: 'integer', min: 1, default: 12 },
  ffn: { type: 'integer', min: 8, default: 1536 },
  batch: { type: 'integer', min: 1, default: 8 },
  'micro-batch': { type: 'integer', min: 0, default: 0, help: 'triples per micro-batch (0: the whole batch)' },
  query: { type: 'integer', min: 1, default: 16 },
  passage: { type: 'integer', min: 1, default: 64 },
  steps: { type: 'integer', min: 1, default: 3 },
  python: { value: 'PYTHON', help: 'a Python with sentence-transformers, to score the export' },
  port: { type: 'integer', help: 'serve on this port (default: 5180, or a free one)' },
});

const t0 = Date.now();
const log = clockLog(t0);
const { FIXTURES, vocab, writeModelFolder, parameterCount } = await loadHelpers();
const SAMPLE = ['teacher-ids.tsv', 'collection.tsv', 'queries.tsv', 'qrels.tsv'].map((f) => join(FIXTURES, 'msmarco-sample', f));
const QUERY_LINE = readFileSync(join(FIXTURES, 'msmarco-sample', 'queries.tsv'), 'utf8').split('\n')[0] ?? '';
const QUERY = QUERY_LINE.split('\t')[1] ?? '';

// ---- the folder ----

/**
 * The project's own TypeScript for the folder (src/testing/model-folders.ts: every tensor `weightSpecs` names), the
 * fixtures' place and bert-base-uncased's vocabulary, loaded through Vite, so this script writes none of them again.
 */
function loadHelpers() {
  return withSources(/** @type {const} */ (['/src/testing/model-folders.ts', '/src/testing/fixtures.ts', '/src/text/wordpiece.ts']), async ([folders, { FIXTURES }, { bertBaseUncasedVocab }]) => ({
    writeModelFolder: /** @type {typeof import('../src/testing/model-folders').writeModelFolder} */ (folders.writeModelFolder),
    parameterCount: /** @type {typeof import('../src/testing/model-folders').parameterCount} */ (folders.parameterCount),
    FIXTURES: /** @type {string} */ (FIXTURES),
    vocab: /** @type {string[]} */ (await bertBaseUncasedVocab()),
  }));
}

// ---- the GPU process's memory ----

/** @param {number} pid */
const cmdline = (pid) => {
  try {
    // Chromium rewrites its children's arguments into one space-separated string.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

/** @param {number} pid resident bytes, or 0 when the process is gone */
const rss = (pid) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
};

/**
 * The GPU process of the browser started on `profile`: Chromium gives every child process the user data folder, so
 * other browsers on the machine are left out.
 * @param {string} profile
 */
function gpuProcess(profile) {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .find((p) => {
      const line = cmdline(p);
      return line.includes('--type=gpu-process') && line.includes(`--user-data-dir=${profile} `);
    });
}

// ---- the run ----

const work = join(OUT, 'real-run');
rmSync(work, { recursive: true, force: true });
const folder = join(work, 'minilm-shaped');
// A BertModel with random weights and working LayerNorms; no sentence-transformers modules: the studio's export adds
// them with the pooling the run used.
/** @type {import('../src/testing/model-folders').FolderShape} */
const shape = { type: 'bert', layers: args.layers, hidden: args.hidden, heads: args.heads, ffn: args.ffn, vocabSize: vocab.length, maxPositions: 512 };
const bytes = writeModelFolder(folder, shape, 'F32', { vocab, trainedNorms: true });
log(`folder: hidden ${args.hidden}, ${args.layers} layers, ${args.heads} heads, ffn ${args.ffn}, vocabulary ${vocab.length.toLocaleString('en-US')}: ${(parameterCount(shape) / 1e6).toFixed(1)}M parameters, ${(bytes / 1e6).toFixed(0)} MB of F32`);

const profile = profileDir('real-run');
const { studio, page, close } = await launchStudio({ profile, ...(args.port === undefined ? {} : { port: args.port }) });
let gpuPeak = 0;
let gpuPid = /** @type {number | undefined} */ (undefined);
const sampler = setInterval(() => {
  gpuPid ??= gpuProcess(profile);
  if (gpuPid !== undefined) gpuPeak = Math.max(gpuPeak, rss(gpuPid));
}, 500);
/** @type {string[]} */
const failures = [];
try {
  await studio.data.importFiles(SAMPLE);
  log('MS MARCO sample imported');
  await studio.models.importFolder(folder, 'done', 600_000);
  log('model folder imported into the library');
  await studio.models.choose('minilm-shaped');
  if ((await studio.attr('model-tokens', 'data-match')) === 'false') {
    await studio.byTestId('model-tokenize').click();
    await page.getByTestId('model-tokens').and(page.locator('[data-match="true"]')).waitFor({ timeout: 600_000 });
    log('sample tokenized for the model');
  }
  const fields = { 'arch-select': 'dot', 'config-batch-size': args.batch, 'config-query-length': args.query, 'config-passage-length': args.passage, 'config-steps': args.steps, 'config-warmup-steps': 0 };
  await studio.train.configure(args['micro-batch'] > 0 ? { ...fields, 'config-micro-batch': args['micro-batch'] } : fields);
  const plan = page.getByTestId('memory-plan');
  const planned = (await plan.count()) > 0 ? { bytes: Number(await plan.getAttribute('data-bytes')), fits: await plan.getAttribute('data-fits'), microBatch: await plan.getAttribute('data-micro-batch') } : null;
  log(planned ? `memory plan: ${(planned.bytes / 1e9).toFixed(2)} GB, fits: ${planned.fits}, largest micro-batch that fits: ${planned.microBatch}` : 'memory plan: none shown by this build');
  const gpuBefore = gpuPid === undefined ? 0 : rss(gpuPid);
  gpuPeak = gpuBefore;
  const trainStart = Date.now();
  await studio.train.start();
  await studio.train.waitForStep(1, 3_600_000);
  log(`step 1 after ${((Date.now() - trainStart) / 1000).toFixed(0)} s (the probe set's first scoring included)`);
  await studio.train.waitForState(['done', 'error'], 3_600_000);
  const state = await studio.train.state();
  if (state !== 'done') throw new Error(`training ended in ${state}: ${await studio.text('train-error')}`);
  const trainSeconds = (Date.now() - trainStart) / 1000;
  log(`${args.steps} steps done in ${trainSeconds.toFixed(0)} s; GPU process ${(gpuBefore / 1e9).toFixed(2)} GB before Train, peak ${(gpuPeak / 1e9).toFixed(2)} GB during the run`);
  const gpu = page.getByTestId('gpu-memory');
  const tfjs = { peakUsed: Number(await gpu.getAttribute('data-peak-used')), peakHeld: Number(await gpu.getAttribute('data-peak')) };
  if (tfjs.peakUsed > 0) log(`tfjs's GPU buffers: at most ${(tfjs.peakUsed / 1e9).toFixed(2)} GB in use at once, ${(tfjs.peakHeld / 1e9).toFixed(2)} GB held after a step (free ones kept for reuse included)`);

  await page.getByTestId('try-query').fill(QUERY);
  await page.getByTestId('try-run').click();
  await page.locator('[data-testid="try-run"][data-state="done"]').waitFor({ timeout: 1_800_000 });
  const top = await page.getByTestId('try-result').evaluateAll((els) => els.map((el) => ({ pid: el.getAttribute('data-pid') ?? '', score: Number(el.getAttribute('data-score')) })));
  log(`try: ${top.length} passages ranked for "${QUERY}"`);

  const [zip] = await studio.export.downloads('export-hf', 1, 600_000);
  if (!zip) throw new Error('no export was downloaded');
  const zipPath = join(work, 'export.zip');
  await zip.saveAs(zipPath);
  const exported = join(work, 'exported');
  for (const [name, bytes] of Object.entries(unzipSync(new Uint8Array(readFileSync(zipPath))))) {
    if (name.endsWith('/')) continue;
    const target = join(exported, name.slice(name.indexOf('/') + 1));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  log('Hugging Face folder exported');

  const python = [args.python, 'python3'].find((p) => p !== undefined && spawnSync(p, ['-c', 'import sentence_transformers'], { stdio: 'ignore' }).status === 0);
  if (!python) {
    console.log('no Python with sentence-transformers: the export was not scored outside the studio (give --python)');
  } else {
    const passages = new Map(readFileSync(join(FIXTURES, 'msmarco-sample', 'collection.tsv'), 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('\t')), l.slice(l.indexOf('\t') + 1)]));
    const request = join(work, 'score.json');
    writeFileSync(request, JSON.stringify({ folder: exported, query: QUERY, passages: top.map((h) => passages.get(h.pid) ?? '') }));
    const scored = spawnSync(python, ['bench/torch/score_export.py', request], { encoding: 'utf8' });
    if (scored.status !== 0) throw new Error(`sentence-transformers could not score the export: ${scored.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    /** @type {number[]} */
    const theirs = JSON.parse(scored.stdout);
    const diff = Math.max(...top.map((h, i) => Math.abs(h.score - (theirs[i] ?? Number.NaN)) / Math.max(1, Math.abs(h.score))));
    log(`sentence-transformers scores the top ${top.length}: largest difference from the studio ${diff.toExponential(2)} (relative to max(1, |score|))`);
    if (!(diff < 1e-3)) failures.push(`sentence-transformers' scores differ from the studio's by ${diff}`);
  }
} finally {
  clearInterval(sampler);
  await close();
}
log(`GPU process peak over the whole run: ${(gpuPeak / 1e9).toFixed(2)} GB`);
if (failures.length > 0) {
  console.error(failures.join('\n'));
  process.exit(1);
}
process.exit(0);
