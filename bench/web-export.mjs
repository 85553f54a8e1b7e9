// The web export (src/export/web.ts) at the fixture's size and at MiniLM-L6's shapes (hidden 384, 6 layers, 12
// heads, FFN 1536, vocabulary 30,522; random weights): how long the folder takes to write and zip and how large it
// is, then onnxruntime-node's pairs per second on this machine's CPU with the float32 and the int8 model, for a
// bi-encoder (passages of --passage tokens embedded, one dot product each) and a cross-encoder (pairs of --query +
// --passage tokens). No browser: the studio's WebGPU scoring of the same shapes is bench:real-size's figure.
// Usage: npm run bench:web-export [-- --query 30 --passage 200 --pairs 64 --batch 16]
import { performance } from 'node:perf_hooks';
import { flagsOrExit } from '../scripts/flags.mjs';
import { rng, withSources } from './lib.mjs';

const args = flagsOrExit('npm run bench:web-export --', {
  query: { type: 'integer', min: 1, default: 30 },
  passage: { type: 'integer', min: 1, default: 200 },
  pairs: { type: 'integer', min: 1, default: 64 },
  batch: { type: 'integer', min: 1, default: 16 },
});
const ort = await import('onnxruntime-node');


/** @param {number} t0 */
const ms = (t0) => performance.now() - t0;
/** @param {number} n */
const mb = (n) => (n / 1e6).toFixed(1);

await withSources(
  /** @type {const} */ (['/src/export/web.ts', '/src/export/hf.ts', '/src/export/hf-layout.ts', '/src/model/pretrained/folder.ts', '/src/testing/hf-fixtures.ts']),
  async ([{ webFolder }, { zipFolder }, { weightSpecs }, { readPretrainedFolder }, { fixtureFolder }]) => {
    const vocab = ['[PAD]', ...Array.from({ length: 98 }, (_, i) => `[unused${i}]`), '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
    for (let i = vocab.length; i < 30522; i++) vocab.push(`w${i}`);
    const dims = { layers: 6, hidden: 384, heads: 12, ffn: 1536, vocabSize: 30522, maxPositions: 512, typeVocabSize: 2, layerNormEps: 1e-12 };
    /** A BERT at MiniLM-L6's shapes with random weights (LayerNorm scales near 1, as trained ones are). */
    /** @param {'bi-encoder' | 'cross-encoder'} kind */
    const miniLm = (kind) => {
      const next = rng(7);
      const weights = new Map();
      for (const spec of weightSpecs('bert', kind, dims)) {
        const n = spec.shape.reduce((/** @type {number} */ a, /** @type {number} */ b) => a * b, 1);
        const data = new Float32Array(n);
        const norm = /LayerNorm\.weight$/.test(spec.name);
        for (let i = 0; i < n; i++) data[i] = norm ? 1 + 0.1 * (next() - 0.5) : 0.04 * (next() - 0.5);
        weights.set(spec.name, { shape: spec.shape, data });
      }
      return { type: 'bert', kind, dims, weights, pooling: 'mean', dense: null, normalize: false, vocab, lowercase: true, maxSeqLength: kind === 'bi-encoder' ? Math.max(args.query, args.passage) + 2 : args.query + args.passage + 3 };
    };
    const summary = { baseModel: 'bench', teacherFiles: [], loss: 'margin-mse', steps: 0, learningRate: 7e-6, evaluation: [] };
    const lengths = { queryLength: args.query, passageLength: args.passage };
    const models = [
      { name: 'hf-tiny bert-dot (fixture)', model: readPretrainedFolder(fixtureFolder('bert-dot')) },
      { name: 'hf-tiny bert-cross-encoder (fixture)', model: readPretrainedFolder(fixtureFolder('bert-cross-encoder')) },
      { name: 'MiniLM-L6 shapes, bi-encoder', model: miniLm('bi-encoder') },
      { name: 'MiniLM-L6 shapes, cross-encoder', model: miniLm('cross-encoder') },
    ];

    console.log(`# Web export: write, zip, and onnxruntime-node ${ort.env.versions?.common ?? ''} on the CPU (${args.pairs} pairs, batches of ${args.batch}; query ${args.query} / passage ${args.passage} tokens)`);
    console.log('| model | parameters | folder written | zipped | zip size | model.onnx | model_quantized.onnx | fp32 pairs/s | int8 pairs/s |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const { name, model } of models) {
      const t0 = performance.now();
      const files = webFolder(model, 'bench', summary, lengths);
      const written = ms(t0);
      const t1 = performance.now();
      const zip = zipFolder(files, 'bench');
      const zipped = ms(t1);
      /** @param {string} path @returns {Uint8Array} */
      const bytesOf = (path) => files.find((/** @type {{ path: string }} */ f) => f.path === path).bytes;
      let parameters = 0;
      for (const w of model.weights.values()) parameters += w.data.length;
      const cross = model.kind === 'cross-encoder';
      // A bi-encoder's pair is one passage embedded (the query's vector is computed once); a cross-encoder's is
      // the joined sequence. Ids from the vocabulary past the specials, every position real.
      const length = Math.min(cross ? args.query + args.passage + 3 : args.passage + 2, model.dims.maxPositions);
      const rates = [];
      for (const path of ['onnx/model.onnx', 'onnx/model_quantized.onnx']) {
        const session = await ort.InferenceSession.create(bytesOf(path));
        const next = rng(11);
        /** @param {number} rows */
        const feedsFor = (rows) => {
          const ids = BigInt64Array.from({ length: rows * length }, (_, i) => (i % length === 0 ? 101n : BigInt(1000 + Math.floor(next() * (model.dims.vocabSize - 1000)))));
          /** @type {Record<string, import('onnxruntime-node').Tensor>} */
          const feeds = { input_ids: new ort.Tensor('int64', ids, [rows, length]), attention_mask: new ort.Tensor('int64', new BigInt64Array(rows * length).fill(1n), [rows, length]) };
          if (model.type === 'bert') feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(rows * length), [rows, length]);
          return feeds;
        };
        await session.run(feedsFor(1)); // the first run plans the graph
        const t = performance.now();
        for (let done = 0; done < args.pairs; done += args.batch) await session.run(feedsFor(Math.min(args.batch, args.pairs - done)));
        rates.push(args.pairs / (ms(t) / 1000));
        await session.release();
      }
      console.log(`| ${name} | ${parameters.toLocaleString('en-US')} | ${written.toFixed(0)} ms | ${zipped.toFixed(0)} ms | ${mb(zip.length)} MB | ${mb(bytesOf('onnx/model.onnx').length)} MB | ${mb(bytesOf('onnx/model_quantized.onnx').length)} MB | ${(rates[0] ?? NaN).toFixed(1)} | ${(rates[1] ?? NaN).toFixed(1)} |`);
    }
  },
);
