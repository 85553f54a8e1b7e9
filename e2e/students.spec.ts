import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';
import { FIXTURES } from '../src/testing/fixtures';
import { ARCHS } from '../src/model/students/registry';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const nq = (name: string) => `${FIXTURES}/nq-sample/${name}`;

/** Small shapes: WebGPU on SwiftShader (no GPU) is slow. The same for every student, as a grid would run them. */
const SMALL = {
  'config-steps': 30,
  'config-batch-size': 8,
  'config-learning-rate': 0.005,
  'config-seed': 5,
  'config-hidden': 16,
  'config-heads': 2,
  'config-ffn': 32,
  'config-layers': 1,
  'config-query-length': 8,
  'config-passage-length': 24,
  'config-probe-size': 32,
  'config-eval-every': 0,
  'config-backend': 'auto',
};

async function openWithNq(studio: StudioPage): Promise<void> {
  await studio.open();
  // A first visit loads the demo by itself; the sample is imported once that is done.
  await expect.poll(() => studio.data.count('passages'), { timeout: 120_000 }).toBe(2000);
  await studio.data.importFiles([nq('collection.tsv'), nq('queries.tsv'), nq('teacher-ids.tsv')]);
  expect(await studio.data.count('passages')).toBe(986);
  expect(await studio.data.count('triples')).toBe(979);
}

for (const arch of ARCHS) {
  test(`${arch}: 30 steps of Margin-MSE on nq-sample on WebGPU lower the loss; scores keep their own magnitude`, async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    const studio = new StudioPage(page);
    await openWithNq(studio);
    await studio.train.configure({ ...SMALL, 'arch-select': arch, 'loss-select': 'margin-mse' });
    // The size is shown before training, and it is the size the worker builds.
    const planned = await studio.train.plannedParameters();
    expect(planned).toBeGreaterThan(8192 * 16);
    await studio.train.start();
    await expect.poll(async () => (await studio.train.stats()).backend, { timeout: 120_000 }).toBe('webgpu');
    await studio.train.waitForState('done', 280_000);
    expect(await studio.train.parameterCount()).toBe(planned);

    const losses = await studio.train.losses();
    expect(losses).toHaveLength(30);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));

    // Raw scores: the teacher's (about 82-104 on this sample) and the student's, each on an axis of its own.
    await expect.poll(async () => (await studio.train.histogramDrawn('score-histogram')).rendered).toBe(true);
    expect((await studio.train.histogramDrawn('score-histogram-student')).bars).toBeGreaterThan(0);
    const teacher = await studio.train.histogramStats('score-histogram-teacher');
    const student = await studio.train.histogramStats('score-histogram-student');
    expect(teacher.min).toBeGreaterThan(50);
    expect(student.std).toBeGreaterThan(0);
    // Margin-MSE fixes margins, not levels: the student's scores stay where its architecture puts them.
    expect(student.max).toBeLessThan(teacher.min);

    // The finished run is kept for comparison, under its architecture and loss.
    await expect.poll(async () => (await studio.runs.rows()).at(-1)).toMatchObject({ arch, loss: 'margin-mse', params: planned });
    expect(errors).toEqual([]);
  });
}

test('a grid runs students × losses one after another and their curves and margins overlay', async ({ page }) => {
  const studio = new StudioPage(page);
  await openWithNq(studio);
  await studio.train.configure({ ...SMALL, 'config-steps': 4, 'config-probe-size': 16 });
  // Every student the page offers, so that only dot and cat stay checked.
  expect(await studio.train.students()).toEqual(ARCHS);
  const grid = { archs: ['dot', 'cat'], losses: ['margin-mse', 'ranknet'] };
  await studio.train.chooseGrid(grid);
  await expect(studio.byTestId('grid-start')).toHaveText(/4 runs/);
  await studio.train.runGrid({ ...grid, timeout: 280_000 });

  await expect.poll(async () => (await studio.runs.rows()).length).toBe(4);
  const rows = await studio.runs.rows();
  expect(rows.map((r) => `${r.arch}/${r.loss}`)).toEqual(['dot/margin-mse', 'dot/ranknet', 'cat/margin-mse', 'cat/ranknet']);
  const grids = rows.map((r) => r.grid);
  expect(new Set(grids).size).toBe(1);
  expect(grids[0]).toMatch(/^grid-/);

  await studio.runs.compare(rows.map((r) => r.id));
  await expect(studio.byTestId('compare-loss-chart')).toHaveAttribute('data-runs', '4');
  expect(await studio.byTestId('compare-loss-chart').locator('.recharts-line').count()).toBe(4);
  await expect(studio.byTestId('compare-margin-histogram')).toHaveAttribute('data-runs', '4');
  // Teacher plus four runs, each a bar series.
  expect(await studio.byTestId('compare-margin-histogram').locator('.recharts-bar-rectangles').count()).toBe(5);

  // Charts save as SVG and PNG; the run report is JSON with the run's history and data.
  const [svg] = await Promise.all([page.waitForEvent('download'), studio.byTestId('compare-loss-chart').getByTestId('save-svg').click()]);
  expect(svg.suggestedFilename()).toBe('runs-loss.svg');
  expect(readFileSync(await svg.path()).toString('utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const [png] = await Promise.all([page.waitForEvent('download'), studio.byTestId('compare-margin-histogram').getByTestId('save-png').click()]);
  expect(png.suggestedFilename()).toBe('runs-margins.png');
  expect(readFileSync(await png.path()).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  const [reportFile] = await Promise.all([page.waitForEvent('download'), studio.byTestId('export-report').click()]);
  const report = JSON.parse(readFileSync(await reportFile.path()).toString('utf8')) as { config: { arch: string; loss: string; seed: number }; losses: number[]; dataset: { counts: { passages: number } } };
  expect(report.config).toMatchObject({ arch: 'cat', loss: 'ranknet', seed: 5 });
  expect(report.losses).toHaveLength(4);
  expect(report.dataset.counts.passages).toBe(986);

  // A shared config address fills a fresh browser's form with that config.
  await studio.train.configure({ 'config-seed': 77 });
  const sharing = await studio.train.share();
  if (!('url' in sharing)) throw new Error(`sharing was refused: ${sharing.error}`);
  const shared = sharing.url;
  expect(shared).toContain('#config=');
  const fresh = await page.context().browser()!.newContext();
  const other = new StudioPage(await fresh.newPage());
  await other.page.goto(shared);
  await expect(other.byTestId('config-seed')).toHaveValue('77');
  await expect(other.byTestId('config-steps')).toHaveValue('4');
  await expect(other.byTestId('config-hidden')).toHaveValue('16');
  await fresh.close();

  // The last student of the grid (cat, RankNet) exports in both formats, with the same weights in each.
  const params = rows[3]!.params;
  const safetensors = await studio.export.safetensors();
  expect(safetensors.suggestedFilename()).toBe('cat-ranknet-step4.safetensors');
  const st = readFileSync(await safetensors.path());
  const n = Number(st.readBigUInt64LE(0));
  const header = JSON.parse(st.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> & { __metadata__: Record<string, string> };
  expect(header.__metadata__).toMatchObject({ arch: 'cat', tokenizer: 'hash-words-v1:8192', parameters: String(params), steps: '4' });
  expect(JSON.parse(header.__metadata__.dimensions as string)).toMatchObject({ hidden: 16, layers: 1, vocabSize: 8192, queryLength: 8, passageLength: 24 });
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  expect(names.reduce((sum, k) => sum + header[k]!.shape.reduce((a, b) => a * b, 1), 0)).toBe(params);
  expect(st.length).toBe(8 + n + 4 * params);

  const tfjsFiles = new Map<string, Buffer>();
  for (const d of await studio.export.tfjs()) tfjsFiles.set(d.suggestedFilename(), readFileSync(await d.path()));
  const model = JSON.parse(tfjsFiles.get('model.json')!.toString('utf8')) as { weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[] };
  expect(model.weightsManifest[0]!.paths).toEqual(['weights.bin']);
  const bin = tfjsFiles.get('weights.bin')!;
  expect(bin.length).toBe(4 * params);
  let at = 0;
  for (const w of model.weightsManifest[0]!.weights) {
    const size = 4 * w.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = header[w.name]!.data_offsets;
    expect(bin.subarray(at, at + size).equals(st.subarray(8 + n + begin, 8 + n + end)), w.name).toBe(true);
    at += size;
  }

  // Kept across a reload.
  const probeStats = () => studio.train.histogramStats('score-histogram-student');
  const before = await probeStats();
  await studio.reload();
  await expect.poll(async () => (await studio.runs.rows()).length).toBe(4);

  // Loaded back into a fresh worker, each export scores the probe set exactly as the trained student did.
  const loadWeights = async (files: { name: string; mimeType: string; buffer: Buffer }[]) => {
    await studio.export.loadWeights(files);
    await studio.train.waitForState('done');
    await expect.poll(async () => (await studio.train.histogramDrawn('score-histogram')).rendered).toBe(true);
  };
  await loadWeights([{ name: 'cat-ranknet-step4.safetensors', mimeType: 'application/octet-stream', buffer: st }]);
  expect(await probeStats()).toEqual(before);
  expect(await studio.train.parameterCount()).toBe(params);
  await studio.reload();
  await loadWeights([
    { name: 'model.json', mimeType: 'application/json', buffer: tfjsFiles.get('model.json')! },
    { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: bin },
  ]);
  expect(await probeStats()).toEqual(before);

  // The same weights declared as a dot student do not fit it, and the page says which weight and why.
  const meta = { ...header.__metadata__, arch: 'dot', run: JSON.stringify({ ...JSON.parse(header.__metadata__.run as string), arch: 'dot' }) };
  const json = Buffer.from(JSON.stringify({ ...header, __metadata__: meta }));
  const padded = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, ' ')]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(padded.length));
  const asDot = Buffer.concat([length, padded, st.subarray(8 + n)]);
  await studio.export.loadWeights([{ name: 'as-dot.safetensors', mimeType: 'application/octet-stream', buffer: asDot }]);
  await expect.poll(() => studio.export.weightsError()).toMatch(/weight encoder\/pos_emb has shape \[35, 16\] in the file; the configured dot student expects \[25, 16\]/);
  // A file that is not safetensors at all is refused before the worker sees it.
  await studio.export.loadWeights([{ name: 'junk.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a safetensors file at all') }]);
  await expect.poll(() => studio.export.weightsError()).toMatch(/junk\.safetensors: the header length \d+ is over the/);
});
