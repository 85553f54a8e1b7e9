// The five students side by side on one fixed config: parameters, triples per second, and the loss after a fixed
// number of steps with Margin-MSE and with RankNet, trained as a grid through the studio page in headless Chromium
// (the same code a person uses). On a machine without a GPU, WebGPU runs on SwiftShader.
// Usage: npm run bench:students [-- --steps 30 --data ../shared/fixtures/nq-sample --archs dot,colbert,tk,prett,cat
//        --losses margin-mse,ranknet --port 5180]
// Needs the built app (npm run bench:students builds it) and Chromium (node scripts/ensure-chromium.mjs).
import { resolve } from 'node:path';
import { flagsOrExit } from '../scripts/flags.mjs';
import { launchStudio } from '../scripts/studio-browser.mjs';
import { clockLog, profileDir, studentNames } from './lib.mjs';

const ARCHS = await studentNames();
const LOSSES = ['margin-mse', 'mse', 'weighted-ranknet', 'ranknet'];
const args = flagsOrExit('npm run bench:students --', {
  steps: { type: 'integer', min: 1, default: 30 },
  data: { value: 'DIR', default: `${process.env.MARGIN_FIXTURES ?? '../shared/fixtures'}/nq-sample`, help: 'collection.tsv, queries.tsv and teacher-ids.tsv' },
  archs: { type: 'list', choices: ARCHS, default: ARCHS, help: 'the students in the grid' },
  losses: { type: 'list', choices: LOSSES, default: ['margin-mse', 'ranknet'], help: 'the losses in the grid' },
  port: { type: 'integer', help: 'serve on this port (default: 5180, or a free one)' },
});
const DATA = resolve(args.data);
/** @type {Record<string, string | number>} */
const CONFIG = {
  'config-steps': args.steps,
  'config-batch-size': 8,
  'config-learning-rate': 0.005,
  'config-seed': 5,
  'config-hidden': 16,
  'config-heads': 2,
  'config-ffn': 32,
  'config-layers': 1,
  'config-joint-layers': 1,
  'config-compress-dim': 32,
  'config-query-length': 8,
  'config-passage-length': 24,
  'config-probe-size': 32,
  'config-eval-every': 0,
  'config-backend': 'auto',
};

const { studio, close } = await launchStudio({ profile: profileDir('students'), ...(args.port === undefined ? {} : { port: args.port }) });
try {
  await studio.data.importFiles(['collection.tsv', 'queries.tsv', 'teacher-ids.tsv'].map((f) => `${DATA}/${f}`), 'done', 300_000);
  const summary = await studio.data.summary();
  console.log(`data: ${DATA.replace(/^.*\/(?=[^/]+\/[^/]+$)/, '')}: ${summary.passages} passages, ${summary.triples} triples`);
  // Fields shown for some students only are filled while one of them is selected; the grid sets the student itself.
  for (const [id, value] of Object.entries(CONFIG)) {
    if ((await studio.byTestId(id).count()) === 0) await studio.train.selectStudentShowing(id);
    await studio.train.configure({ [id]: value });
  }
  const started = Date.now();
  await studio.train.runGrid({ archs: args.archs, losses: args.losses, allArchs: ARCHS, allLosses: LOSSES, onProgress: clockLog(started) });
  console.log(`backend: ${(await studio.train.stats()).backend}`);
  const rows = await studio.runs.rows();
  console.log(`\nconfig: ${args.steps} steps, batch 8, hidden 16, 2 heads, ffn 32, 1 layer (+1 joint for prett), colbert dim 32, query 8 / passage 24 tokens, lr 0.005, seed 5`);
  const first = args.losses[0] ?? 'margin-mse';
  console.log(`| student | parameters | triples/s (${first} run) | ${args.losses.map((l) => `${l} loss, first 10 → last 10 steps`).join(' | ')} |`);
  console.log(`|---|---|---|${args.losses.map(() => '---|').join('')}`);
  /** @param {import('../scripts/studio-page.mjs').RunRow | undefined} r */
  const f = (r) => (r ? `${r.lossFirst10.toPrecision(4)} → ${r.lossLast10.toPrecision(4)}` : 'missing');
  for (const arch of args.archs) {
    const m = rows.find((r) => r.arch === arch && r.loss === first);
    console.log(`| ${arch} | ${m?.params.toLocaleString('en')} | ${m?.triplesPerSecond.toFixed(1)} | ${args.losses.map((l) => f(rows.find((r) => r.arch === arch && r.loss === l))).join(' | ')} |`);
  }
  console.log(`\ngrid wall time: ${((Date.now() - started) / 1000).toFixed(0)} s`);
} finally {
  await close();
}
process.exit(0);
