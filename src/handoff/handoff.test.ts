// IndexedDB in Node for isolation; the browser test (e2e/handoff.spec.ts) exports through Chromium's own.
import 'fake-indexeddb/auto';
import { describeProvenance, parseProvenance } from '../data/provenance';
import { sampleProvenance } from '../testing/provenance';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importFiles } from '../data/import.core';
import { forEachChunk } from '../data/store/dataset-db';
import { DEFAULT_RUN_CONFIG, resolveRunConfig, type RunConfig } from '../config/run-config';
import { LOSSES } from '../config/loss-names';
import { ARCHS } from '../model/students/registry';
import { fixtureFolder } from '../testing/hf-fixtures';
import { fixtureBytes, fixtureFile, runFromTeacher, textFile } from '../testing/fixtures';
import { fieldFates, HandoffRefused, trainSettings } from './mapping';
import { writeHandoff, type HandoffInput } from './package';
import { float32Text, qrelLines, runLines, textLines, tripleLines } from './tables';
import { ZipStream, ZipTooLarge } from './zip-stream';
import type { TableColumns, TableName } from '../data/store/schema';
import TRAIN_PY from './train.py?raw';

const pretrained = (over: Partial<RunConfig> = {}) => resolveRunConfig({ start: 'model-1', ...over });
const decoder = new TextDecoder();

describe('the run config in sentence-transformers terms', () => {
  it('places every run-config field: carried somewhere, or not carried with a reason', () => {
    const fates = fieldFates(pretrained());
    expect(Object.keys(fates).sort()).toEqual(Object.keys(DEFAULT_RUN_CONFIG).sort());
    for (const [field, fate] of Object.entries(fates)) {
      if (fate.carried) expect(fate.as.length, field).toBeGreaterThan(3);
      else expect(fate.why.length, field).toBeGreaterThan(10);
    }
  });

  it('writes the trainer settings from the config, field for field', () => {
    const c = pretrained({ arch: 'dot', batchSize: 48, learningRate: 3e-5, warmupSteps: 10, schedule: 'linear', weightDecay: 0.01, clipNorm: 1, seed: 7, steps: 300, logEvery: 3, checkpointEvery: 50, queryLength: 16, passageLength: 48, pooling: 'cls', standardizeTeacher: true });
    const s = trainSettings(c, 64);
    expect(s).toMatchObject({
      kind: 'bi-encoder',
      loss: 'margin-mse',
      loss_class: 'sentence_transformers.losses.MarginMSELoss',
      pooling: 'cls',
      add_dense: 64,
      max_seq_length: 50,
      per_device_batch_size_total: 48,
      gradient_accumulation_steps: 1,
      learning_rate: 3e-5,
      warmup_steps: 10,
      lr_scheduler_type: 'linear',
      weight_decay: 0.01,
      max_grad_norm: 1,
      seed: 7,
      max_steps: 300,
      logging_steps: 3,
      save_steps: 50,
      standardize_teacher: true,
      dropout: 0,
    });
    // Micro-batches of 12 in a batch of 48: four forwards per optimiser step, the global batch unchanged.
    expect(trainSettings({ ...c, microBatch: 12 }, 0)).toMatchObject({ per_device_batch_size_total: 48, gradient_accumulation_steps: 4 });
    expect(trainSettings({ ...c, microBatch: 48 }, 0).gradient_accumulation_steps).toBe(1);
    // Constant schedules: with and without warm-up; a cat student joins the pair.
    expect(trainSettings(pretrained({ schedule: 'constant', warmupSteps: 0 }), 0).lr_scheduler_type).toBe('constant');
    expect(trainSettings(pretrained({ schedule: 'constant', warmupSteps: 5 }), 0).lr_scheduler_type).toBe('constant_with_warmup');
    const cat = trainSettings(pretrained({ arch: 'cat', queryLength: 16, passageLength: 48, loss: 'mse' }), 0);
    expect(cat).toMatchObject({ kind: 'cross-encoder', loss: 'mse', loss_class: 'sentence_transformers.cross_encoder.losses.MSELoss', pooling: null, max_seq_length: 67 });
    expect(trainSettings(pretrained({ arch: 'cat', loss: 'ranknet' }), 0).loss_class).toBe('sentence_transformers.cross_encoder.losses.RankNetLoss');
  });

  it('refuses the students and losses the library has no counterpart for, saying why', () => {
    for (const arch of ARCHS.filter((a) => a !== 'dot' && a !== 'cat')) {
      expect(() => trainSettings(pretrained({ arch }), 0)).toThrow(new RegExp(`cannot hand this run off: .*${arch === 'prett' ? 'PreTTR' : arch === 'tk' ? 'TK' : 'ColBERT'}`));
    }
    for (const loss of LOSSES.filter((l) => l !== 'margin-mse')) {
      expect(() => trainSettings(pretrained({ arch: 'dot', loss }), 0)).toThrow(/bi-encoder on teacher scores only through MarginMSELoss/);
    }
    expect(() => trainSettings(pretrained({ arch: 'cat', loss: 'weighted-ranknet' }), 0)).toThrow(HandoffRefused);
    expect(() => trainSettings(resolveRunConfig({ arch: 'dot' }), 0)).toThrow(/random weights on the studio's own transformer/);
  });
});

/** Python 3 on this machine, for train.py's own arithmetic (its module level imports the standard library only). */
const python = (() => {
  try {
    return execFileSync('python3', ['--version'], { encoding: 'utf8' }).startsWith('Python 3') ? 'python3' : null;
  } catch {
    return null;
  }
})();

describe("train.py's batch arithmetic", () => {
  /** train.per_device_batch for each (rows per step, processes, accumulation steps), or the message it refuses with. */
  const perDevice = (cases: [number, number, unknown][]): string[] => {
    const script = ['import json, sys, train', 'def one(c):', '    try:', '        return str(train.per_device_batch(*c))', '    except ValueError as e:', '        return str(e)', 'print(json.dumps([one(c) for c in json.loads(sys.argv[1])]))'].join('\n');
    const out = execFileSync(python as string, ['-c', script, JSON.stringify(cases)], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    return JSON.parse(out) as string[];
  };

  it.skipIf(!python)("keeps the global batch: processes × accumulation steps × per-process batch = the run's batch", () => {
    // 32 = 1 × 4 × 8 = 2 × 4 × 4 = 2 × 1 × 16.
    expect(perDevice([[32, 1, 4], [32, 2, 4], [32, 2, 1], [32, 3, 1], [32, 1, 3], [32, 1, 0], [32, 1, '4']])).toEqual([
      '8',
      '4',
      '16',
      "the run's batch of 32 does not split evenly over 3 process(es) × 1 gradient-accumulation step(s); choose a process count N with N × 1 dividing 32",
      "the run's batch of 32 does not split evenly over 1 process(es) × 3 gradient-accumulation step(s); choose a process count N with N × 3 dividing 32",
      'run.json: gradient_accumulation_steps must be a whole number of at least 1, got 0',
      "run.json: gradient_accumulation_steps must be a whole number of at least 1, got '4'",
    ]);
  }, 30_000);
});

describe('the data written back as plain files', () => {
  it('prints float32 scores in the fewest digits that read back the same', () => {
    const values = Float32Array.from({ length: 2000 }, (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 9) - 3));
    for (const v of values) {
      const s = float32Text(v);
      expect(Math.fround(Number(s))).toBe(v);
      expect(s.replace(/^-|\.|e.*$/g, '').replace(/^0+/, '').length).toBeLessThanOrEqual(9);
    }
    expect(float32Text(Math.fround(98.5))).toBe('98.5');
    expect(float32Text(Math.fround(0.1))).toBe('0.1');
    expect(() => float32Text(NaN)).toThrow(/NaN/);
  });

  it('writes triples, texts, qrels and runs in their layouts', () => {
    const t = { qid: Int32Array.of(3, 4), pos: Int32Array.of(10, 11), neg: Int32Array.of(12, 13), posScore: Float32Array.of(9.5, 1), negScore: Float32Array.of(-2.25, 0.5) };
    expect(decoder.decode(tripleLines(t))).toBe('9.5\t-2.25\t3\t10\t12\n1\t0.5\t4\t11\t13\n');
    const enc = new TextEncoder();
    const texts = ['a b', 'tab\there\nand line', 'é'];
    const bytes = texts.map((s) => enc.encode(s));
    const textOffsets = Uint32Array.from([0, ...bytes.map((_, i) => bytes.slice(0, i + 1).reduce((n, b) => n + b.length, 0))]);
    const text = new Uint8Array(textOffsets[3] as number);
    bytes.forEach((b, i) => text.set(b, textOffsets[i]));
    const cols = { id: Int32Array.of(5, 6, 70), tokOffsets: new Uint32Array(4), tokens: new Int32Array(0), textOffsets, text };
    expect(decoder.decode(textLines(cols).bytes)).toBe('5\ta b\n6\ttab here and line\n70\té\n');
    const some = textLines(cols, (id) => id !== 6);
    expect(some.rows).toBe(2);
    expect(decoder.decode(some.bytes)).toBe('5\ta b\n70\té\n');
    expect(decoder.decode(qrelLines({ qid: Int32Array.of(1), pid: Int32Array.of(2), grade: Int32Array.of(3) }))).toBe('1\t0\t2\t3\n');
    const c = { qid: Int32Array.of(1, 1, 2), pid: Int32Array.of(8, 9, 8), rank: Int32Array.of(1, 2, 1), score: Float64Array.of(12.123456789012, 11, 3), run: Int32Array.of(0, 1, 0) };
    const r0 = runLines(c, 0, 'bm25 top');
    expect(r0.rows).toBe(2);
    expect(decoder.decode(r0.bytes)).toBe('1 Q0 8 1 12.123456789012 bm25_top\n2 Q0 8 1 3 bm25_top\n');
  });

  it('streams a zip file by file, and refuses to pass the plain-zip limit', async () => {
    const z = new ZipStream(new Date(2026, 0, 1));
    const w = z.file('a/big.txt');
    const block = new TextEncoder().encode('line of text\n'.repeat(1000));
    for (let i = 0; i < 50; i++) w.push(block);
    w.end();
    z.add('a/w.safetensors', Uint8Array.of(1, 2, 3), true);
    expect(() => z.file('../x')).toThrow(/not a relative path/);
    const files = unzipSync(new Uint8Array(await z.finish().arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(['a/big.txt', 'a/w.safetensors']);
    expect(files['a/big.txt']!.length).toBe(block.length * 50);
    expect([...files['a/w.safetensors']!]).toEqual([1, 2, 3]);

    const small = new ZipStream(new Date(), 100);
    const f = small.file('x.txt');
    expect(() => f.push(new Uint8Array(101))).toThrow(ZipTooLarge);
  });
});

function lines(relative: string): string[][] {
  return fixtureBytes(relative).toString('utf8').trimEnd().split('\n').map((l) => l.split('\t'));
}

let nextId = 0;
async function sampleDataset(extra: File[] = []) {
  const files = ['teacher-ids.tsv', 'collection.tsv', 'queries.tsv', 'qrels.tsv'].map((n) => ({ file: fixtureFile(`msmarco-sample/${n}`) }));
  return importFiles([...files, ...extra.map((file) => ({ file }))], { id: `handoff-${nextId++}` }, () => undefined, { cancelled: false });
}

function inputFor(info: Awaited<ReturnType<typeof sampleDataset>>, over: Partial<HandoffInput> = {}): HandoffInput {
  const read = <T extends TableName>(table: T, visit: (c: TableColumns[T]) => void | Promise<void>) => forEachChunk(info.id, table, visit);
  return {
    dataset: info,
    config: pretrained({ arch: 'dot', steps: 120, batchSize: 8, microBatch: 2 }),
    stepsInBrowser: 20,
    model: { name: 'bert-dot', source: 'start', files: fixtureFolder('bert-dot'), addDense: 0 },
    wholeCollection: false,
    read,
    now: new Date(Date.UTC(2026, 11, 2)),
    ...over,
  };
}

describe('the handoff zip of the MS MARCO sample', () => {
  it('holds the triples, the texts they use, the qrels, the model, train.py and its settings', async () => {
    const info = await sampleDataset([textFile('bm25.run', runFromTeacher('msmarco-sample/teacher-ids.tsv', 'bm25'))]);
    const phases = new Set<string>();
    const result = await writeHandoff(inputFor(info, { progress: (p) => phases.add(p.phase) }));
    const files = unzipSync(new Uint8Array(await result.zip.arrayBuffer()));
    const root = result.root;
    const text = (p: string) => decoder.decode(files[`${root}/${p}`]);
    expect(Object.keys(files).filter((p) => !p.startsWith(`${root}/model/`)).sort()).toEqual(
      ['README.md', 'data/collection.tsv', 'data/qrels.tsv', 'data/queries.tsv', 'data/runs/bm25.run', 'data/triples.tsv', 'requirements.txt', 'run.json', 'train.py'].map((p) => `${root}/${p}`),
    );
    expect([...phases]).toEqual(['triples', 'qrels', 'runs', 'queries', 'passages', 'model']);

    // Triples: the fixture's lines, score for score (as float32) and id for id.
    const teacher = lines('msmarco-sample/teacher-ids.tsv');
    const written = text('data/triples.tsv').trimEnd().split('\n').map((l) => l.split('\t'));
    expect(written.length).toBe(teacher.length);
    written.forEach((w, i) => {
      const t = teacher[i] as string[];
      expect(w.slice(2)).toEqual(t.slice(2));
      expect(Number(w[0])).toBe(Math.fround(Number(t[0])));
      expect(Number(w[1])).toBe(Math.fround(Number(t[1])));
    });
    // Passages: exactly those the triples name, each with the fixture's text.
    const used = new Set(teacher.flatMap((t) => [t[3], t[4]]));
    const collection = new Map(lines('msmarco-sample/collection.tsv').map(([id, t]) => [id, t]));
    const passages = text('data/collection.tsv').trimEnd().split('\n').map((l) => l.split('\t'));
    expect(new Set(passages.map((p) => p[0]))).toEqual(used);
    for (const [id, t] of passages) expect(t).toBe(collection.get(id as string));
    const queries = text('data/queries.tsv').trimEnd().split('\n');
    expect(queries.length).toBe(lines('msmarco-sample/queries.tsv').length);
    expect(text('data/qrels.tsv').trimEnd().split('\n').length).toBe(lines('msmarco-sample/qrels.tsv').length);
    expect(text('data/runs/bm25.run').trimEnd().split('\n').length).toBe(runFromTeacher('msmarco-sample/teacher-ids.tsv', 'bm25').trimEnd().split('\n').length);
    expect(result.counts).toEqual({ triples: teacher.length, queries: queries.length, passages: used.size, qrels: lines('msmarco-sample/qrels.tsv').length, 'run bm25.run': expect.any(Number) });
    expect(result.missingPassages).toBe(0);

    // The model folder as it was, train.py as shipped, and the settings train.py reads.
    for (const f of fixtureFolder('bert-dot')) expect(files[`${root}/model/${f.path}`]).toEqual(f.bytes);
    expect(text('train.py')).toBe(TRAIN_PY);
    const run = JSON.parse(text('run.json')) as { format: string; train: { kind: string; max_steps: number }; data: { counts: unknown }; studio_config: RunConfig; not_carried: Record<string, string> };
    expect(run.format).toBe('margin-studio-handoff');
    expect(run.train).toMatchObject({ kind: 'bi-encoder', max_steps: 120, per_device_batch_size_total: 8, gradient_accumulation_steps: 4 });
    expect(run.data.counts).toEqual(result.counts);
    expect(run.studio_config.steps).toBe(120);
    expect(Object.keys(run.not_carried)).toEqual(expect.arrayContaining(['probeEvery', 'kernels', 'backend', 'evalEvery']));
    expect(text('README.md')).toContain('torchrun --nproc_per_node');
    expect(text('README.md')).toContain('trained as in the studio in 4 micro-batches of 2 (gradient_accumulation_steps 4): with N processes each takes 8 / (N × 4) per forward');
    expect(text('requirements.txt')).toMatch(/^sentence-transformers==\d+\.\d+\.\d+$/m);
  }, 60_000);

  it('says how the studio made the teacher triples, in the README and as data, when it made them', async () => {
    const info = await sampleDataset();
    const provenance = sampleProvenance({ negatives: { source: 'bm25', fromRank: 1, toRank: 50, perPositive: 4, seed: 7 }, maxQueryTokens: 16, falseNegatives: { fraction: 0.9, on: 'sigmoid' }, pairsScored: 50, triples: 38, dropped: 2 });
    const made = await writeHandoff(inputFor({ ...info, provenance }));
    const files = unzipSync(new Uint8Array(await made.zip.arrayBuffer()));
    const text = (p: string) => decoder.decode(files[`${made.root}/${p}`]);
    expect(parseProvenance(JSON.parse(text('data/teacher-provenance.json')))).toEqual(provenance);
    expect(text('README.md')).toContain(`The teacher triples were ${describeProvenance(provenance)}`);
    expect(describeProvenance(provenance)).toContain("bert-cross-encoder scored 50 pairs (queries cut at 16 tokens, pairs at 64); 4 negatives per positive from bm25 ranks 1–50 (seed 7), positives of qrels grade ≥ 1; negatives scored above 0.9 of their positive's sigmoid score dropped (2); 38 triples");
    // A dataset imported with a teacher file has none of it.
    const plain = await writeHandoff(inputFor(info));
    const plainFiles = unzipSync(new Uint8Array(await plain.zip.arrayBuffer()));
    expect(plainFiles[`${plain.root}/data/teacher-provenance.json`]).toBeUndefined();
    expect(decoder.decode(plainFiles[`${plain.root}/README.md`])).not.toContain('teacher triples were');
  }, 60_000);

  it('writes the whole collection when asked', async () => {
    const info = await sampleDataset();
    const result = await writeHandoff(inputFor(info, { wholeCollection: true }));
    expect(result.counts.passages).toBe(lines('msmarco-sample/collection.tsv').length);
  });

  it('refuses before writing anything: an unsupported student reads no table', async () => {
    const info = await sampleDataset();
    let reads = 0;
    const input = inputFor(info, { config: pretrained({ arch: 'colbert' }) });
    await expect(writeHandoff({ ...input, read: async () => void reads++ })).rejects.toThrow(/ColBERT/);
    expect(reads).toBe(0);
  });
});
