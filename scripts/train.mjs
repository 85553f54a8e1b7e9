// The headless runner: the built studio in headless Chromium, driven through its page (the same import, training,
// evaluation and export code a person uses), from the command line.
//
//   npm run train -- --data DIR --out OUT [--config run.json] [--port PORT] [--gpu swiftshader|hardware]
//
// Imports every file of DIR the studio recognises (others are skipped and named), trains with the config (the
// studio's defaults for whatever run.json leaves out), evaluates when the data has qrels, and writes to OUT the
// student as safetensors and in the tfjs layout, and metrics.json (config, loss history, final metrics).
// Exit status: 0 done, 1 the run failed (import, training, evaluation or export), 2 bad arguments or config.
// The studio is served on 127.0.0.1:5180, or on a free port when that one is taken (--port asks for one port only).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags, UsageError } from './flags.mjs';
import { distDir } from './serve.mjs';
import { launchStudio } from './studio-browser.mjs';
import { ConfigError } from './studio-page.mjs';
import { errorMessage } from './errors.mjs';

/** @satisfies {Record<string, import('./flags.mjs').FlagSpec>} */
const FLAGS = {
  data: { required: true, value: 'DIR', help: 'a folder of teacher scores, collection, queries, qrels, runs' },
  out: { required: true, value: 'OUT', help: 'the folder the weights and metrics.json are written to' },
  config: { value: 'run.json', help: 'run-config fields; the studio\'s defaults for the rest' },
  port: { type: 'integer', value: 'PORT', help: 'serve the studio on this port (default: 5180, or a free one when it is taken)' },
  gpu: { choices: ['swiftshader', 'hardware'], default: 'swiftshader' },
};

/** @param {string} line */
function log(line) {
  console.log(`[train ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

/** @param {string} path */
function readConfig(path) {
  let text;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch {
    throw new UsageError(`--config ${path}: cannot read the file`);
  }
  let config;
  try {
    config = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--config ${path}: not JSON (${errorMessage(err)})`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new UsageError(`--config ${path}: the run config must be a JSON object`);
  return config;
}

async function main() {
  const args = parseFlags(FLAGS);
  const dataDir = resolve(args.data);
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new UsageError(`--data ${args.data}: no such folder`);
  let files = readdirSync(dataDir)
    .filter((f) => !f.startsWith('.') && statSync(join(dataDir, f)).isFile())
    .sort();
  if (files.length === 0) throw new UsageError(`--data ${args.data}: the folder has no files`);
  const config = args.config ? readConfig(args.config) : {};
  const outDir = resolve(args.out);
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(join(distDir(), 'index.html'))) throw new Error(`${distDir()}/ is missing: run it as npm run train, which builds the studio first`);

  // The config travels in the address, as a shared run's does; the page validates it.
  const { studio, page, close } = await launchStudio({
    ...(args.port === undefined ? {} : { port: args.port }),
    gpu: /** @type {'swiftshader' | 'hardware'} */ (args.gpu),
    hash: `#config=${encodeURIComponent(JSON.stringify(config))}`,
    log,
  });
  try {
    /** @type {string[]} */
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // A first visit generates the demo (launchStudio waits for it); the run's own data is imported after it.
    const configError = studio.byTestId('config-error');
    if (await configError.isVisible()) throw new UsageError(`--config ${args.config}: ${await configError.textContent()}`);

    for (;;) {
      log(`importing ${files.length} files: ${files.join(', ')}`);
      const { state, error } = await studio.data.importFiles(
        files.map((f) => join(dataDir, f)),
        'any',
        3_600_000,
      );
      if (state === 'done') break;
      const unknown = /^(.+?): cannot tell what kind of file this is/.exec(error);
      if (!unknown?.[1] || !files.includes(unknown[1])) throw new Error(`import failed: ${error || state}`);
      log(`skipping ${unknown[1]}: not a file the studio reads`);
      files = files.filter((f) => f !== unknown?.[1]);
      if (files.length === 0) throw new Error(`none of the files in ${args.data} is one the studio reads`);
    }
    const { dataset: _id, ...counts } = await studio.data.summary();
    log(`dataset: ${JSON.stringify(counts)}`);
    if (counts.triples === 0) throw new Error('the data has no teacher triples to train on');

    try {
      await studio.train.start();
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(`--config ${args.config ?? '(defaults)'}: ${err.message}`);
      throw err;
    }
    await studio.train.waitForEnd({
      onProgress: (s) => log(`${s.state} step ${s.step} loss ${s.loss ?? '–'} triples/s ${s.throughput ?? '–'} backend ${s.backend}`),
    });

    /** @type {import('./studio-page.mjs').EvalRow[] | null} */
    let evaluation = null;
    if (counts.qrels > 0) {
      log('evaluating on the queries with qrels');
      evaluation = await studio.evaluation.run();
      for (const row of evaluation) log(`  ${row.system}: MRR@10 ${row.mrr10} nDCG@10 ${row.ndcg10} R@100 ${row.recall100} (${row.queries} queries)`);
    }

    const written = [];
    await (await studio.export.safetensors()).saveAs(join(outDir, 'student.safetensors'));
    written.push('student.safetensors');
    for (const d of await studio.export.tfjs()) {
      await d.saveAs(join(outDir, d.suggestedFilename()));
      written.push(d.suggestedFilename());
    }
    // The exact run config, as the student's own metadata records it.
    const bytes = readFileSync(join(outDir, 'student.safetensors'));
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
    const meta = header.__metadata__;

    const losses = await studio.train.losses();
    const tail = losses.slice(-10);
    const metrics = {
      config: JSON.parse(meta.run),
      backend: (await studio.train.stats()).backend,
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
    await close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`train: ${errorMessage(err)}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
