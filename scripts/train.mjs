// The headless runner: the built studio in headless Chromium, driven through its page (the same import, training,
// evaluation and export code a person uses), from the command line.
//
//   npm run train -- --data DIR --out OUT [--config run.json] [--port 4190] [--gpu swiftshader|hardware]
//
// Imports every file of DIR the studio recognises (others are skipped and named), trains with the config (the
// studio's defaults for whatever run.json leaves out), evaluates when the data has qrels, and writes to OUT the
// student as safetensors and in the tfjs layout, and metrics.json (config, loss history, final metrics).
// Exit status: 0 done, 1 the run failed (import, training, evaluation or export), 2 bad arguments or config.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { chromiumPath, offlineArgs, webgpuArgs } from './chromium.mjs';
import { servePreview } from '../bench/lib.mjs';

class UsageError extends Error {}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${a} needs a value`);
    out[a.slice(2)] = value;
    i++;
  }
  for (const k of Object.keys(out)) if (!['data', 'out', 'config', 'port', 'gpu'].includes(k)) throw new UsageError(`unknown option --${k}`);
  if (!out.data) throw new UsageError('--data DIR is required (a folder of teacher scores, collection, queries, qrels, runs)');
  if (!out.out) throw new UsageError('--out OUT is required (the folder the weights and metrics.json are written to)');
  return out;
}

function log(line) {
  console.log(`[train ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const dataDir = resolve(args.data);
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new UsageError(`--data ${args.data}: no such folder`);
  let files = readdirSync(dataDir)
    .filter((f) => !f.startsWith('.') && statSync(join(dataDir, f)).isFile())
    .sort();
  if (files.length === 0) throw new UsageError(`--data ${args.data}: the folder has no files`);
  let config = {};
  if (args.config) {
    let text;
    try {
      text = readFileSync(resolve(args.config), 'utf8');
    } catch {
      throw new UsageError(`--config ${args.config}: cannot read the file`);
    }
    try {
      config = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`--config ${args.config}: not JSON (${err.message})`);
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new UsageError(`--config ${args.config}: the run config must be a JSON object`);
  }
  const gpu = args.gpu ?? 'swiftshader';
  if (!['swiftshader', 'hardware'].includes(gpu)) throw new UsageError('--gpu must be swiftshader or hardware');
  const outDir = resolve(args.out);
  mkdirSync(outDir, { recursive: true });
  if (!existsSync('dist/index.html')) throw new Error('dist/ is missing: run it as npm run train, which builds the studio first');

  const url = await servePreview(Number(args.port ?? 4190));
  // SwiftShader works on every machine; `hardware` leaves the adapter to Chromium (not tried on a GPU machine yet).
  const launchArgs = gpu === 'swiftshader' ? webgpuArgs : ['--enable-unsafe-webgpu', '--enable-features=Vulkan', ...offlineArgs];
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: launchArgs });
  try {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const get = (id) => page.getByTestId(id);
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // The config travels in the address, as a shared run's does; the page validates it.
    await page.goto(`${url}#config=${encodeURIComponent(JSON.stringify(config))}`);
    // A first visit generates the demo; the run's own data is imported after it.
    await page.locator('[data-testid="dataset-summary"][data-passages]').waitFor({ timeout: 120_000 });
    const configError = get('config-error');
    if (await configError.isVisible().catch(() => false)) throw new UsageError(`--config ${args.config}: ${await configError.textContent()}`);
    await page.locator('[data-testid="import-status"]:not([data-state="running"])').waitFor({ timeout: 120_000 });

    for (;;) {
      log(`importing ${files.length} files: ${files.join(', ')}`);
      await get('import-files').setInputFiles(files.map((f) => join(dataDir, f)));
      await page.locator('[data-testid="import-status"][data-state="done"], [data-testid="import-status"][data-state="error"]').waitFor({ timeout: 3_600_000 });
      if ((await get('import-status').getAttribute('data-state')) === 'done') break;
      const message = (await get('import-error').textContent()) ?? '';
      const unknown = /^(.+?): cannot tell what kind of file this is/.exec(message);
      if (!unknown || !files.includes(unknown[1])) throw new Error(`import failed: ${message}`);
      log(`skipping ${unknown[1]}: not a file the studio reads`);
      files = files.filter((f) => f !== unknown[1]);
      if (files.length === 0) throw new Error(`none of the files in ${args.data} is one the studio reads`);
    }
    const summary = get('dataset-summary');
    const counts = {};
    for (const k of ['passages', 'queries', 'triples', 'qrels', 'candidates']) counts[k] = Number(await summary.getAttribute(`data-${k}`));
    log(`dataset: ${JSON.stringify(counts)}`);
    if (counts.triples === 0) throw new Error('the data has no teacher triples to train on');

    await get('train-start').click();
    const formError = await configError.isVisible().catch(() => false);
    if (formError) throw new UsageError(`--config ${args.config ?? '(defaults)'}: ${await configError.textContent()}`);
    let last = '';
    for (;;) {
      const state = await get('train-state').getAttribute('data-state');
      if (state === 'error') throw new Error(`training failed: ${await get('train-error').textContent()}`);
      const line = `${state} step ${await get('train-step').textContent()} loss ${await get('train-loss').textContent()} triples/s ${await get('throughput').textContent()} backend ${await get('backend').textContent()}`;
      if (line !== last) log(line);
      last = line;
      if (state === 'done') break;
      await page.waitForTimeout(1000);
    }

    let evaluation = null;
    if (counts.qrels > 0) {
      log('evaluating on the queries with qrels');
      await get('eval-run').click();
      await page.locator('[data-testid="eval-state"][data-state="done"], [data-testid="eval-state"][data-state="error"]').waitFor({ timeout: 3_600_000 });
      if ((await get('eval-state').getAttribute('data-state')) === 'error') throw new Error(`evaluation failed: ${await get('eval-error').textContent()}`);
      evaluation = await get('eval-row').evaluateAll((rows) =>
        rows.map((r) => ({
          system: r.getAttribute('data-system'),
          mrr10: Number(r.getAttribute('data-mrr10')),
          ndcg10: Number(r.getAttribute('data-ndcg10')),
          recall100: Number(r.getAttribute('data-recall100')),
          recall1000: Number(r.getAttribute('data-recall1000')),
          queries: Number(r.getAttribute('data-queries')),
        })),
      );
      for (const row of evaluation) log(`  ${row.system}: MRR@10 ${row.mrr10} nDCG@10 ${row.ndcg10} R@100 ${row.recall100} (${row.queries} queries)`);
    }

    const written = [];
    const [st] = await Promise.all([page.waitForEvent('download'), get('export-safetensors').click()]);
    await st.saveAs(join(outDir, 'student.safetensors'));
    written.push('student.safetensors');
    const tfjs = [];
    const both = new Promise((done) =>
      page.on('download', (d) => {
        tfjs.push(d);
        if (tfjs.length === 2) done();
      }),
    );
    await get('export-tfjs').click();
    await both;
    for (const d of tfjs) {
      await d.saveAs(join(outDir, d.suggestedFilename()));
      written.push(d.suggestedFilename());
    }
    // The exact run config, as the student's own metadata records it.
    const bytes = readFileSync(join(outDir, 'student.safetensors'));
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
    const meta = header.__metadata__;

    const points = Number(await get('loss-chart').getAttribute('data-points'));
    await get('loss-table-toggle').click();
    const rows = page.getByTestId('loss-table').locator('tbody tr');
    await rows.nth(points - 1).waitFor();
    const losses = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-loss'))));
    const tail = losses.slice(-10);
    const metrics = {
      config: JSON.parse(meta.run),
      backend: await get('backend').textContent(),
      parameters: Number(meta.parameters),
      tokenizer: meta.tokenizer,
      dataset: { files, ...counts },
      losses,
      final: { step: losses.length, loss: losses[losses.length - 1], meanOfLast10: tail.reduce((a, b) => a + b, 0) / tail.length },
      evaluation,
      files: [...written, 'metrics.json'],
    };
    writeFileSync(join(outDir, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
    log(`wrote ${metrics.files.map((f) => join(args.out, f)).join(', ')}`);
    if (pageErrors.length > 0) log(`page errors: ${pageErrors.join(' | ')}`);
  } finally {
    await browser.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`train: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
