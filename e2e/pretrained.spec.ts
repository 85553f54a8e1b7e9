import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import { unzipSync, strFromU8 } from 'fflate';
import { StudioPage } from '../scripts/studio-page.mjs';
import type { TryHit } from '../scripts/page/try.mjs';
import { FIXTURES } from '../src/testing/fixtures';
import { readSafetensors } from '../src/export/safetensors';
import { relativeError } from '../src/testing/onnx';
import { webScores } from './web-scores';

const SAMPLE = ['teacher-ids.tsv', 'collection.tsv', 'queries.tsv', 'qrels.tsv'].map((f) => join(FIXTURES, 'msmarco-sample', f));
/** A query of msmarco-sample (qid 1000): "try" shows the teacher's scores and grades for its passages. */
const QUERY = readFileSync(join(FIXTURES, 'msmarco-sample', 'queries.tsv'), 'utf8').split('\n')[0]!.split('\t')[1]!;

async function exportFolder(studio: StudioPage, out: string): Promise<Record<string, Uint8Array>> {
  const zip = await studio.export.huggingFace();
  const path = join(out, zip.suggestedFilename());
  await zip.saveAs(path);
  const entries = unzipSync(new Uint8Array(readFileSync(path)));
  // One top folder holds the model: strip it, write the folder out for re-importing.
  const files: Record<string, Uint8Array> = {};
  for (const [name, bytes] of Object.entries(entries)) if (!name.endsWith('/')) files[name.slice(name.indexOf('/') + 1)] = bytes;
  const dir = join(out, 'exported');
  for (const [name, bytes] of Object.entries(files)) {
    const target = join(dir, name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  return files;
}

/** Presses export-web and unzips its folder under `out`/web; returns where transformers.js finds it. */
async function exportWebFolder(studio: StudioPage, out: string): Promise<{ root: string; folder: string; files: string[] }> {
  const zip = await studio.export.web();
  const path = join(out, zip.suggestedFilename());
  await zip.saveAs(path);
  const root = join(out, 'web');
  const names: string[] = [];
  for (const [name, bytes] of Object.entries(unzipSync(new Uint8Array(readFileSync(path))))) {
    if (name.endsWith('/')) continue;
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), bytes);
    names.push(name);
  }
  const folder = names[0]!.split('/')[0]!;
  return { root, folder, files: names.map((n) => n.slice(folder.length + 1)) };
}

/** The sample's passages by id, as its collection file has them. */
const COLLECTION = new Map(
  readFileSync(join(FIXTURES, 'msmarco-sample', 'collection.tsv'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t') as [string, string]),
);
/** The lengths `train` below sets. */
const LENGTHS = { queryLength: 8, passageLength: 24 };

const json = (bytes: Uint8Array | undefined) => JSON.parse(strFromU8(bytes as Uint8Array)) as Record<string, unknown>;

/** Trains the chosen start for a few steps on the sample (tokenized for it) and returns the losses. */
async function train(studio: StudioPage, fields: Record<string, string | number>): Promise<number[]> {
  await studio.train.configure({ 'config-steps': 10, 'config-batch-size': 16, 'config-query-length': 8, 'config-passage-length': 24, 'config-probe-size': 16, 'config-learning-rate': 0.001, 'config-warmup-steps': 0, 'config-schedule': 'constant', ...fields });
  await studio.train.start();
  await studio.train.waitForState('done', 300_000);
  expect((await studio.train.stats()).backend).toBe('webgpu');
  return studio.train.losses();
}

/**
 * Imports an exported folder as a model, starts from it (one step at a learning rate too small to move a weight,
 * so that it becomes the current student) and checks that it ranks the query as the student it came from did.
 */
async function expectSameScoresReimported(studio: StudioPage, folder: string, arch: 'dot' | 'cat', before: TryHit[]): Promise<void> {
  await studio.models.importFolder(folder);
  await studio.models.choose('exported');
  await train(studio, { 'arch-select': arch, 'config-steps': 1, 'config-learning-rate': 1e-12 });
  const after = await studio.try.rank(QUERY);
  expect(after.map((h) => h.pid)).toEqual(before.map((h) => h.pid));
  after.forEach((h, i) => expect(Math.abs(h.score - before[i]!.score)).toBeLessThan(1e-4 * Math.max(1, Math.abs(before[i]!.score))));
}

test.describe('a pretrained start', () => {
  test.setTimeout(600_000);

  test('bert-dot: import, tokenize the sample for it, distil on WebGPU, export for sentence-transformers and for a web page (transformers.js), same scores in each', async ({ page }) => {
    const out = mkdtempSync(join(tmpdir(), 'margin-hf-'));
    const studio = new StudioPage(page);
    await studio.open();
    await studio.data.waitForDemo();
    await studio.data.importFiles(SAMPLE);
    await studio.models.importFolder(join(FIXTURES, 'hf-tiny', 'bert-dot'));
    const summary = await studio.models.summary();
    expect(summary).toMatchObject({ type: 'bert', layers: 2, hidden: 32, heads: 4, vocab: 2500, pooling: 'mean' });
    expect(summary?.params).toBeGreaterThan(100_000);

    await studio.models.choose('bert-dot');
    // Fine-tuning settings come with the choice, and the schedule is drawn.
    expect(Number(await studio.train.field('config-learning-rate'))).toBeCloseTo(7e-6, 12);
    await expect(page.getByTestId('schedule-chart')).toHaveAttribute('data-schedule', 'linear');
    // Training refuses the hashed tokens; tokenizing for the model makes a copy that fits.
    expect(await studio.models.tokensMatch()).toBe(false);
    await studio.models.tokenizeForModel();
    await expect.poll(() => studio.models.tokensMatch()).toBe(true);
    expect(await studio.data.count('passages')).toBe(260);

    const losses = await train(studio, { 'arch-select': 'dot' });
    expect(losses).toHaveLength(10);
    expect(losses.every(Number.isFinite)).toBe(true);
    // Minibatch losses are noisy over 10 steps; the held-out probe set's Margin-MSE, before and after, is not.
    const probe = await studio.train.probeMarginMse();
    expect(probe.last).toBeLessThan(probe.first);
    const before = await studio.try.rank(QUERY);
    expect(before).toHaveLength(10);
    // The query is the dataset's: its teacher scores show beside the student's.
    expect(before.some((h) => h.teacher !== null)).toBe(true);

    const files = await exportFolder(studio, out);
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer_config.json', 'modules.json', 'sentence_bert_config.json', '1_Pooling/config.json', 'README.md']));
    expect(json(files['config.json'])).toMatchObject({ architectures: ['BertModel'], model_type: 'bert', hidden_size: 32, num_hidden_layers: 2 });
    expect(json(files['1_Pooling/config.json'])).toMatchObject({ pooling_mode_mean_tokens: true, pooling_mode_cls_token: false });
    // The library's names and [out, in] layout: the same names and shapes as the checkpoint it started from.
    const original = readSafetensors(new Uint8Array(readFileSync(join(FIXTURES, 'hf-tiny', 'bert-dot', 'model.safetensors')))).tensors;
    const exported = readSafetensors(files['model.safetensors'] as Uint8Array).tensors;
    const shapes = (ts: { name: string; shape: number[] }[]) => Object.fromEntries(ts.map((t) => [t.name, t.shape.join('x')]));
    expect(shapes(exported)).toEqual(shapes(original));
    expect(shapes(exported)['encoder.layer.0.intermediate.dense.weight']).toBe('64x32');
    expect(strFromU8(files['README.md'] as Uint8Array)).toContain('teacher-ids.tsv');

    // The web folder, loaded by transformers.js in Node as a page would: over the whole collection (what try
    // searches for a dot student) the float32 model finds the studio's top 10 with its scores, and the int8 model
    // keeps at least 8 of them.
    const web = await exportWebFolder(studio, out);
    expect(web.files).toEqual(expect.arrayContaining(['onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json', '1_Pooling/config.json', 'README.md']));
    const pids = [...COLLECTION.keys()];
    const top10 = (scores: number[]) => pids.map((pid, i) => ({ pid, score: scores[i]! })).sort((a, b) => b.score - a.score).slice(0, 10);
    const fp32 = top10(await webScores(web.root, web.folder, 'dot', QUERY, [...COLLECTION.values()], LENGTHS, 'fp32'));
    expect(fp32.map((h) => h.pid)).toEqual(before.map((h) => h.pid));
    expect(relativeError(fp32.map((h) => h.score), before.map((h) => h.score))).toBeLessThan(1e-4);
    const int8 = top10(await webScores(web.root, web.folder, 'dot', QUERY, [...COLLECTION.values()], LENGTHS, 'q8'));
    expect(int8.filter((h) => before.some((b) => b.pid === h.pid)).length).toBeGreaterThanOrEqual(8);

    await expectSameScoresReimported(studio, join(out, 'exported'), 'dot', before);
    rmSync(out, { recursive: true, force: true });
  });

  test('bert-cross-encoder as cat: distil, export for CrossEncoder and for a web page (transformers.js), same scores in each', async ({ page }) => {
    const out = mkdtempSync(join(tmpdir(), 'margin-ce-'));
    const studio = new StudioPage(page);
    await studio.open();
    await studio.data.waitForDemo();
    await studio.data.importFiles(SAMPLE);
    await studio.models.importFolder(join(FIXTURES, 'hf-tiny', 'bert-cross-encoder'));
    expect((await studio.models.summary())?.pooling).toBe('');
    await studio.models.choose('bert-cross-encoder');
    if ((await studio.models.tokensMatch()) === false) {
      await studio.models.tokenizeForModel();
      await expect.poll(() => studio.models.tokensMatch(), { timeout: 120_000 }).toBe(true);
    }
    const losses = await train(studio, { 'arch-select': 'cat' });
    expect(losses.every(Number.isFinite)).toBe(true);
    const before = await studio.try.rank(QUERY);

    const files = await exportFolder(studio, out);
    expect(json(files['config.json'])).toMatchObject({ architectures: ['BertForSequenceClassification'], model_type: 'bert' });
    const names = readSafetensors(files['model.safetensors'] as Uint8Array).tensors.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['bert.embeddings.word_embeddings.weight', 'bert.pooler.dense.weight', 'classifier.weight', 'classifier.bias']));
    expect(Object.keys(files)).not.toContain('modules.json');

    // The web folder in transformers.js: the float32 logits of the pairs try showed are the studio's scores (pairs
    // cut longest-first as the studio cut them); the int8 model gives a finite score for each.
    const web = await exportWebFolder(studio, out);
    expect(web.files).toEqual(expect.arrayContaining(['onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'README.md']));
    const texts = before.map((h) => COLLECTION.get(h.pid)!);
    const fp32 = await webScores(web.root, web.folder, 'cat', QUERY, texts, LENGTHS, 'fp32');
    expect(relativeError(fp32, before.map((h) => h.score))).toBeLessThan(1e-4);
    const int8 = await webScores(web.root, web.folder, 'cat', QUERY, texts, LENGTHS, 'q8');
    expect(int8.every(Number.isFinite)).toBe(true);

    await expectSameScoresReimported(studio, join(out, 'exported'), 'cat', before);
    rmSync(out, { recursive: true, force: true });
  });

  test('refuses folders it cannot read, naming file and reason, storing nothing; a stored model survives a reload', async ({ page }) => {
    const dir = mkdtempSync(join(tmpdir(), 'margin-bad-'));
    const studio = new StudioPage(page);
    await studio.open();
    await studio.data.waitForDemo();

    const binOnly = join(dir, 'bin-only');
    cpSync(join(FIXTURES, 'hf-tiny', 'distilbert-dot'), binOnly, { recursive: true });
    renameSync(join(binOnly, 'model.safetensors'), join(binOnly, 'pytorch_model.bin'));
    const binError = await studio.models.importFolder(binOnly, 'error');
    expect(binError).toContain('pytorch_model.bin');
    expect(binError).toContain('safetensors');

    const roberta = join(dir, 'roberta');
    cpSync(join(FIXTURES, 'hf-tiny', 'distilbert-dot'), roberta, { recursive: true });
    const config = JSON.parse(readFileSync(join(roberta, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(roberta, 'config.json'), JSON.stringify({ ...config, model_type: 'roberta' }));
    const robertaError = await studio.models.importFolder(roberta, 'error');
    expect(robertaError).toContain('config.json');
    expect(robertaError).toContain('roberta');
    expect(await studio.models.stored()).toEqual([]);

    await studio.models.importFolder(join(FIXTURES, 'hf-tiny', 'distilbert-dot'));
    expect(await studio.models.summary()).toMatchObject({ type: 'distilbert', pooling: 'cls' });
    expect(await studio.models.stored()).toHaveLength(1);
    await studio.reload();
    await expect.poll(async () => (await studio.models.stored()).filter((name) => name.startsWith('distilbert-dot ')), { timeout: 60_000 }).toHaveLength(1);
    rmSync(dir, { recursive: true, force: true });
  });
});
