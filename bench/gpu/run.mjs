// Runs the GPU benchmark bundle under Node with Dawn's WebGPU as navigator.gpu.
// Usage: node bench/gpu/run.mjs --webgpu PATH_TO_webgpu_PACKAGE --data DIR [--steps 30] [--configs 0,1,2]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = Object.fromEntries(process.argv.slice(2).reduce((p, a, i, all) => (a.startsWith('--') ? [...p, [a.slice(2), all[i + 1]]] : p), []));
const { create, globals } = await import(pathToFileURL(resolve(args.webgpu, 'index.js')).href);
Object.assign(globalThis, globals);
Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]), userAgent: 'node' }, configurable: true });
const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
if (!adapter) throw new Error('no WebGPU adapter');
const info = adapter.info ?? {};
console.log(`adapter: ${info.vendor ?? '?'} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`);

const steps = Number(args.steps ?? 30);
const read = (f) => readFileSync(resolve(args.data, f), 'utf8');
const files = { collection: read('collection.tsv'), queries: read('queries.tsv'), teacher: read('teacher-ids.tsv') };
const common = { steps, logEvery: 10, probeEvery: 1000, probeSize: 32, evalEvery: 0, seed: 5 };
const configs = [
  { name: 'as in the browser grid (bench/students.mjs)', config: { ...common, batchSize: 8, learningRate: 0.005, hidden: 16, heads: 2, ffn: 32, layers: 1, compressDim: 32, queryLength: 8, passageLength: 24 } },
  { name: 'the studio default', config: { ...common } },
  { name: 'larger: hidden 256, 4 heads, ffn 1024, 2 layers, batch 64, passage 128', config: { ...common, batchSize: 64, learningRate: 0.001, hidden: 256, heads: 4, ffn: 1024, layers: 2, queryLength: 16, passageLength: 128 } },
];
const chosen = args.configs ? args.configs.split(',').map(Number).map((i) => configs[i]) : configs;
const { main } = await import(pathToFileURL(resolve('bench/out/gpu/entry.mjs')).href);
const started = Date.now();
await main(files, chosen, (line) => console.log(line));
console.log(`\nwall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(0);
