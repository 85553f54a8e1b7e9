// IndexedDB in Node for isolation; the browser tests exercise Chromium's real IndexedDB.
import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../model/tf';
import { fixtureFolder, editJson, folderBlobs } from '../testing/hf-fixtures';
import { deleteModel, listModels, loadModel } from '../data/store/models';
import { textColumns } from '../data/store/columns';
import { fixtureBytes } from '../testing/fixtures';
import { tokenizerForVocab } from '../text/tokenizers';
import { resolveRunConfig } from '../config/run-config';
import { fineTuningSettings, fromScratchSettings, importModelFolder, startFor, studentConfigFor } from './models';
import { Trainer } from './trainer.core';
import { tablesAsTrainingData } from './stored-data';

describe('the model library', () => {
  it('stores an imported folder whole and lists it with what the page shows', async () => {
    const info = await importModelFolder(folderBlobs(fixtureFolder('bert-dot', 'bert-dot')), 'bert-dot');
    expect(info).toMatchObject({ name: 'bert-dot', type: 'bert', kind: 'bi-encoder', architecture: 'BertModel', pooling: 'mean', lowercase: true, denseOut: null });
    expect(info.dims).toMatchObject({ layers: 2, hidden: 32, heads: 4, ffn: 64, vocabSize: 2500, maxPositions: 128 });
    expect(info.bytes).toBe(info.parameters * 4);
    expect((await listModels()).map((m) => m.id)).toContain(info.id);
    const stored = await loadModel(info.id);
    expect(stored?.vocab).toHaveLength(2500);
    expect(stored?.weights.find((w) => w.name === 'embeddings.word_embeddings.weight')?.shape).toEqual([2500, 32]);
    await deleteModel(info.id);
    expect(await loadModel(info.id)).toBeUndefined();
    expect((await listModels()).map((m) => m.id)).not.toContain(info.id);
  });

  it('refuses a cased model and stores nothing', async () => {
    const before = (await listModels()).length;
    const cased = editJson(fixtureFolder('bert-dot'), 'tokenizer_config.json', (j) => (j.do_lower_case = false));
    await expect(importModelFolder(folderBlobs(cased), 'cased')).rejects.toThrow('tokenizer_config.json: do_lower_case is false');
    expect(await listModels()).toHaveLength(before);
  });

  it('refuses to start a run on a dataset tokenized otherwise, and lengths over the position table', async () => {
    const info = await importModelFolder(folderBlobs(fixtureFolder('bert-cross-encoder')), 'ce');
    const config = resolveRunConfig({ arch: 'cat', start: info.id, queryLength: 16, passageLength: 45 });
    await expect(startFor(config, { name: 'demo', tokenizer: 'hash-words-v1:8192' })).rejects.toThrow('the dataset "demo" holds hash-words-v1:8192 token ids, but ce reads');
    await expect(startFor({ ...config, passageLength: 120 }, { name: 'ok', tokenizer: info.tokenizer })).rejects.toThrow("over the model's 128");
    await expect(startFor({ ...config, start: 'model-gone' }, { name: 'ok', tokenizer: info.tokenizer })).rejects.toThrow('no longer in the model library');
    const ok = await startFor(config, { name: 'ok', tokenizer: info.tokenizer });
    expect(ok?.start.kind).toBe('cross-encoder');
  });
});

describe('settings for a pretrained start', () => {
  it('fine-tune: small peak rate, a tenth of the steps of warm-up, linear decay, decay 0.01, clipping at 1, its pooling', () => {
    const s = fineTuningSettings({ id: 'model-x', pooling: 'cls' }, { steps: 250 });
    expect(s).toEqual({ start: 'model-x', learningRate: 7e-6, warmupSteps: 25, schedule: 'linear', weightDecay: 0.01, clipNorm: 1, pooling: 'cls', probeSize: 64, probeEvery: 50 });
    // They make a valid run config, and going back to scratch restores the studio's own defaults.
    const config = resolveRunConfig({ steps: 250, ...s });
    expect(resolveRunConfig({ ...config, ...fromScratchSettings() })).toMatchObject({ start: 'scratch', learningRate: 2e-3, warmupSteps: 0, schedule: 'constant', weightDecay: 0, clipNorm: 0, probeSize: 192, probeEvery: 20 });
  });
});

describe('training on a pretrained start (CPU backend)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('takes sizes from the checkpoint, trains a few Margin-MSE steps, and snapshots by the library names', async () => {
    const info = await importModelFolder(folderBlobs(fixtureFolder('bert-dot')), 'bert-dot');
    const stored = await loadModel(info.id);
    const tok = tokenizerForVocab(stored!.vocab);
    const rows = (file: string) => fixtureBytes(`msmarco-sample/${file}`).toString('utf8').trimEnd().split('\n').map((l) => l.split('\t'));
    const passages = textColumns(rows('collection.tsv').map(([id, text]) => ({ id: Number(id), text: text! })), (t) => tok.tokenize(t));
    const queries = textColumns(rows('queries.tsv').map(([id, text]) => ({ id: Number(id), text: text! })), (t) => tok.tokenize(t));
    const t = rows('teacher-ids.tsv');
    const triples = {
      qid: Int32Array.from(t, (r) => Number(r[2])),
      pos: Int32Array.from(t, (r) => Number(r[3])),
      neg: Int32Array.from(t, (r) => Number(r[4])),
      posScore: Float32Array.from(t, (r) => Number(r[0])),
      negScore: Float32Array.from(t, (r) => Number(r[1])),
    };
    const config = resolveRunConfig({ arch: 'dot', start: info.id, hidden: 8, heads: 2, queryLength: 8, passageLength: 24, batchSize: 4, probeSize: 8, learningRate: 1e-3, weightDecay: 0.01, clipNorm: 1, warmupSteps: 1, schedule: 'linear', steps: 2, backend: 'cpu' });
    const dataset = { name: 'msmarco', tokenizer: tok.id };
    const begin = await startFor(config, dataset);
    expect(studentConfigFor(config, tok, begin?.start)).toMatchObject({ hidden: 32, heads: 4, ffn: 64, layers: 2, vocabSize: 2500 });
    const trainer = new Trainer(await tablesAsTrainingData({ passages, queries, triples }, config.standardizeTeacher), config, tok, begin?.start);
    const before = Array.from(await trainer.model.params.get('encoder.layer.1.output.dense.weight').data());
    const losses: number[] = [];
    for (let i = 0; i < 2; i++) {
      const l = trainer.step();
      losses.push((await l.data())[0] as number);
      l.dispose();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    const after = Array.from(await trainer.model.params.get('encoder.layer.1.output.dense.weight').data());
    expect(after).not.toEqual(before);
    const snap = await trainer.snapshot();
    expect(snap.weights.map((w) => w.name)).toContain('embeddings.word_embeddings.weight');
    // A fresh trainer on the same start restores by those names and continues identically.
    const again = new Trainer(await tablesAsTrainingData({ passages, queries, triples }, config.standardizeTeacher), config, tok, begin?.start);
    await again.restore(snap);
    expect(Array.from(await again.model.params.get('encoder.layer.1.output.dense.weight').data())).toEqual(after);
    trainer.dispose();
    again.dispose();
  }, 120_000);
});
