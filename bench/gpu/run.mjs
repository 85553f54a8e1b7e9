// Runs the GPU benchmark bundle under Node with Dawn's WebGPU as navigator.gpu.
// Usage: node bench/gpu/run.mjs --webgpu PATH_TO_webgpu_PACKAGE --data DIR [--steps 30] [--configs 0,1,2]
// The npm package `webgpu` is optional and installed separately: it is loaded by path, so nothing here needs it
// to type-check or to build.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { flagsOrExit } from '../../scripts/flags.mjs';
import { installDawn } from './dawn.mjs';

const COMMAND = 'node bench/gpu/run.mjs';
const args = flagsOrExit(COMMAND, {
  webgpu: { required: true, value: 'DIR', help: 'the installed npm package `webgpu` (Dawn for Node), e.g. node_modules/webgpu' },
  data: { required: true, value: 'DIR', help: 'collection.tsv, queries.tsv and teacher-ids.tsv' },
  steps: { type: 'integer', min: 1, default: 30 },
  configs: { type: 'list', choices: ['0', '1', '2'], default: ['0', '1', '2'], help: 'which configs: 0 the browser grid, 1 the studio default, 2 larger' },
});
const bundle = resolve('bench/out/gpu/entry.mjs');
if (!existsSync(bundle)) {
  console.error(`${COMMAND}: ${bundle} is missing: build it first with npx vite build -c bench/gpu/vite.config.mjs`);
  process.exit(2);
}
console.log(await installDawn(COMMAND, args.webgpu));

/** @param {string} f */
const read = (f) => readFileSync(resolve(args.data, f), 'utf8');
const files = { collection: read('collection.tsv'), queries: read('queries.tsv'), teacher: read('teacher-ids.tsv') };
const common = { steps: args.steps, logEvery: 10, probeEvery: 1000, probeSize: 32, evalEvery: 0, seed: 5 };
const configs = [
  { name: 'as in the browser grid (bench/students.mjs)', config: { ...common, batchSize: 8, learningRate: 0.005, hidden: 16, heads: 2, ffn: 32, layers: 1, compressDim: 32, queryLength: 8, passageLength: 24 } },
  { name: 'the studio default', config: { ...common } },
  { name: 'larger: hidden 256, 4 heads, ffn 1024, 2 layers, batch 64, passage 128', config: { ...common, batchSize: 64, learningRate: 0.001, hidden: 256, heads: 4, ffn: 1024, layers: 2, queryLength: 16, passageLength: 128 } },
];
const chosen = args.configs.map((i) => /** @type {(typeof configs)[number]} */ (configs[Number(i)]));
/** @type {typeof import('./entry')} */
const { main } = await import(pathToFileURL(bundle).href);
const started = Date.now();
await main(files, chosen, (line) => console.log(line));
console.log(`\nwall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(0);
