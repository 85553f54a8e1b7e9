// The memory plan (src/train/memory-plan.ts) of the students people distil, at the paper's shapes: `dot` from a
// pretrained checkpoint, query 30 / passage 200, batch 32, a 64-triple probe, the fused kernels on WebGPU, against
// two devices: 8 GiB with WebGPU's guaranteed 128 MiB per buffer, and 4 GiB with 1 GiB buffers (SwiftShader's).
// Prints each plan for the whole batch at once and at the largest micro-batch that fits. No browser: the plan is
// arithmetic on the sizes. Usage: npm run bench:memory-plans [-- --batch 32 --query 30 --passage 200]
import { flagsOrExit } from '../scripts/flags.mjs';
import { withSources } from './lib.mjs';

const args = flagsOrExit('npm run bench:memory-plans --', {
  batch: { type: 'integer', min: 1, default: 32 },
  query: { type: 'integer', min: 1, default: 30 },
  passage: { type: 'integer', min: 1, default: 200 },
});
await withSources(/** @type {const} */ (['/src/train/memory-plan.ts', '/src/model/students/descriptor.ts', '/src/model/students/registry.ts', '/src/util/bytes.ts']), ([{ planMemory }, { countParameters }, { studentOf }, { formatBytes }]) => {

  const STUDENTS = [
    { name: 'BERT-tiny', hidden: 128, heads: 2, ffn: 512, layers: 2 },
    { name: 'BERT-mini', hidden: 256, heads: 4, ffn: 1024, layers: 4 },
    { name: 'MiniLM-L6', hidden: 384, heads: 12, ffn: 1536, layers: 6 },
    { name: 'DistilBERT', hidden: 768, heads: 12, ffn: 3072, layers: 6 },
  ];
  const DEVICES = [
    { name: '8 GiB, 128 MiB a buffer', maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20, budget: 8 * 2 ** 30 },
    { name: '4 GiB, 1 GiB a buffer', maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30, budget: 4 * 2 ** 30 },
  ];

  console.log(`# Memory plans: dot from a checkpoint, batch ${args.batch}, query ${args.query} / passage ${args.passage}, vocabulary 30,522, probe 64, fused kernels`);
  console.log('| student | parameters | device | whole batch | largest buffer | fits | largest micro-batch that fits | plan at it |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const s of STUDENTS) {
    const sizes = { vocabSize: 30522, queryLength: args.query, passageLength: args.passage, hidden: s.hidden, heads: s.heads, ffn: s.ffn, layers: s.layers, pooling: 'mean', compressDim: 32, jointLayers: 1, cls: 1, sep: 2 };
    const parameters = countParameters(studentOf('dot'), sizes);
    const input = { ...sizes, arch: 'dot', webgpu: true, kernels: 'fused', pretrained: true, batchSize: args.batch, microBatch: 0, probeSize: 64, parameters };
    for (const d of DEVICES) {
      const whole = planMemory(input, d);
      const at = whole.largestMicroBatch > 0 ? planMemory({ ...input, microBatch: whole.largestMicroBatch }, d) : null;
      console.log(`| ${s.name} | ${parameters.toLocaleString('en-US')} | ${d.name} | ${formatBytes(whole.bytes)} | ${formatBytes(whole.largest.bytes)} | ${whole.fits} | ${whole.largestMicroBatch || 'none'} | ${at ? formatBytes(at.bytes) : '–'} |`);
    }
  }
});
