import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readPretrainedFolder } from '../model/pretrained/folder';
import { fixtureFolder, folderFiles } from '../testing/hf-fixtures';
import { FIXTURES } from '../testing/fixtures';
import { parseVocabText } from '../text/wordpiece';
import { isTrainingLeftover, lossPerStep, readHandoffHistory, trainerLosses } from './result';
import { startFolder } from './model-folder';
import { resolveRunConfig } from '../config/run-config';


/**
 * A folder the handoff's train.py wrote: msmarco-sample handed off with the hf-tiny bert-dot start, trained 200
 * steps by sentence-transformers 6.0.1 / transformers 5.18 / PyTorch 2.13 on a CPU (e2e/fixtures/README.md).
 */
const OUTPUT = fileURLToPath(new URL('../../e2e/fixtures/handoff-output', import.meta.url));

const json = (file: string): unknown => JSON.parse(readFileSync(join(OUTPUT, file), 'utf8'));

describe("what a handoff's train.py brings back", () => {
  it('reads the loss curve of trainer_state.json, step by step', () => {
    const state = json('trainer_state.json') as { log_history: { loss?: number; step: number }[]; global_step: number };
    const logged = state.log_history.filter((e) => e.loss !== undefined);
    const t = trainerLosses(state);
    expect(t.steps).toBe(state.global_step);
    expect(t.points).toEqual(logged.map((e) => ({ step: e.step, loss: e.loss })));
    expect(t.samplesPerSecond).toBeGreaterThan(0);
    const perStep = lossPerStep(t.points, t.steps);
    expect(perStep.length).toBe(t.steps);
    // Each logged mean stands for the steps it averaged: steps 1..5 carry the loss logged at step 5.
    const first = t.points[0]!;
    expect(perStep.slice(0, first.step)).toEqual(new Array(first.step).fill(first.loss));
    expect(perStep[t.steps - 1]).toBe(t.points[t.points.length - 1]!.loss);
  });

  it('takes the run config the handoff carried, with the steps PyTorch made', () => {
    const h = readHandoffHistory(json('trainer_state.json'), json('margin_studio.json'))!;
    expect(h.config).toMatchObject({ arch: 'dot', loss: 'margin-mse', steps: 200, batchSize: 16 });
    expect(h.device).toBe('cpu');
    expect(h.source).toBe('start');
    expect(h.points.length).toBeGreaterThan(10);
    // A plain model folder has no run; a trainer state without the studio's file is not one of its handoffs.
    expect(readHandoffHistory(undefined, undefined)).toBeNull();
    expect(() => readHandoffHistory(json('trainer_state.json'), undefined)).toThrow(/margin_studio.json: missing/);
    expect(() => readHandoffHistory({ log_history: 'no' }, json('margin_studio.json'))).toThrow(/log_history is missing or not a list/);
    expect(() => readHandoffHistory({ log_history: [{ step: 5, loss: 'x' }] }, json('margin_studio.json'))).toThrow(/log_history\[0\] needs a finite loss/);
    expect(() => readHandoffHistory(json('trainer_state.json'), { format: 'other' })).toThrow(/expected "margin-studio-handoff-result"/);
  });

  it('skips checkpoints and optimizer states of the output folder', () => {
    expect(isTrainingLeftover('output/checkpoint-200/optimizer.pt')).toBe(true);
    expect(isTrainingLeftover('checkpoint-5/config.json')).toBe(true);
    expect(isTrainingLeftover('output/optimizer.pt')).toBe(true);
    expect(isTrainingLeftover('output/model.safetensors')).toBe(false);
    expect(isTrainingLeftover('output/1_Pooling/config.json')).toBe(false);
    expect(isTrainingLeftover('output/trainer_state.json')).toBe(false);
  });

  it('reads the sentence-transformers 6 folder: vocabulary from tokenizer.json, new module names, pooling', () => {
    const files = folderFiles(OUTPUT).filter((f) => !isTrainingLeftover(f.path));
    const model = readPretrainedFolder(files);
    expect(files.some((f) => f.path === 'vocab.txt')).toBe(false);
    expect(model).toMatchObject({ type: 'bert', kind: 'bi-encoder', pooling: 'mean', dense: null, normalize: false, lowercase: true, fromSentenceTransformers: true });
    // The same vocabulary the handoff started from (hf-tiny/bert-dot's vocab.txt), in the same order.
    const vocab = parseVocabText(readFileSync(join(FIXTURES, 'hf-tiny', 'bert-dot', 'vocab.txt'), 'utf8'));
    expect(model.vocab).toEqual(vocab);
    expect(model.dims).toMatchObject({ layers: 2, hidden: 32, heads: 4, vocabSize: vocab.length });
  });

  it('reads a sentence-transformers 6 CrossEncoder folder (modules.json with the Transformer alone) and its run', () => {
    const dir = fileURLToPath(new URL('../../e2e/fixtures/handoff-output-cat', import.meta.url));
    const model = readPretrainedFolder(folderFiles(dir));
    expect(model).toMatchObject({ type: 'bert', kind: 'cross-encoder', architecture: 'BertForSequenceClassification', lowercase: true });
    expect(model.vocab).toEqual(parseVocabText(readFileSync(join(FIXTURES, 'hf-tiny', 'bert-cross-encoder', 'vocab.txt'), 'utf8')));
    const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown;
    expect(readHandoffHistory(read('trainer_state.json'), read('margin_studio.json'))).toMatchObject({ config: { arch: 'cat', loss: 'margin-mse', steps: 10 }, steps: 10 });
    // A bi-encoder whose pipeline stops at the Transformer has no vector to compare: refused, saying so.
    const bi = folderFiles(OUTPUT).filter((f) => !isTrainingLeftover(f.path)).map((f) => (f.path === 'modules.json' ? { path: f.path, bytes: new TextEncoder().encode(JSON.stringify([{ idx: 0, name: '0', path: '', type: 'sentence_transformers.base.modules.transformer.Transformer' }])) } : f));
    expect(() => readPretrainedFolder(bi)).toThrow(/modules.json: the Transformer is the only module, but BertModel is not a cross-encoder/);
  });

  it('refuses a tokenizer.json whose ids have a gap, naming the file', () => {
    const files = folderFiles(OUTPUT).filter((f) => !isTrainingLeftover(f.path));
    const tok = JSON.parse(new TextDecoder().decode(files.find((f) => f.path === 'tokenizer.json')!.bytes)) as { model: { vocab: Record<string, number> } };
    delete tok.model.vocab['the'];
    const broken = files.map((f) => (f.path === 'tokenizer.json' ? { path: f.path, bytes: new TextEncoder().encode(JSON.stringify(tok)) } : f));
    expect(() => readPretrainedFolder(broken)).toThrow(/tokenizer\.json: no token has id \d+/);
  });
});

describe('the model folder a handoff starts from', () => {
  const start = readPretrainedFolder(fixtureFolder('bert-cross-encoder'));
  const summary = { baseModel: 'x', teacherFiles: [], loss: 'margin-mse', steps: 0, learningRate: 1e-5, evaluation: [] };

  it('writes a cross-encoder checkpoint as a bi-encoder with the run pooling for dot, and the Dense to add', () => {
    const { files, addDense } = startFolder(start, resolveRunConfig({ start: 'm', arch: 'dot', pooling: 'cls', denseDim: 24 }), summary);
    expect(addDense).toBe(24);
    const back = readPretrainedFolder(files);
    expect(back).toMatchObject({ kind: 'bi-encoder', pooling: 'cls', dense: null });
    expect([...back.weights.keys()].some((n) => n.startsWith('classifier'))).toBe(false);
  });

  it('writes a plain transformers folder for cat, without sentence-transformers modules', () => {
    const bi = readPretrainedFolder(fixtureFolder('bert-dot'));
    const { files } = startFolder(bi, resolveRunConfig({ start: 'm', arch: 'cat' }), summary);
    expect(files.map((f) => f.path)).not.toContain('modules.json');
    expect(files.some((f) => f.path.startsWith('1_Pooling/'))).toBe(false);
    expect(readPretrainedFolder(files).kind).toBe('bi-encoder');
    const ce = startFolder(start, resolveRunConfig({ start: 'm', arch: 'cat' }), summary);
    expect(readPretrainedFolder(ce.files).kind).toBe('cross-encoder');
  });
});
