import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { StudioPage } from '../scripts/studio-page.mjs';
import { FIXTURES } from '../src/testing/fixtures';

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

for (const arch of ['dot', 'colbert', 'tk', 'prett', 'cat']) {
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
    const planned = Number(await studio.byTestId('planned-size').getAttribute('data-params'));
    expect(planned).toBeGreaterThan(8192 * 16);
    await studio.byTestId('train-start').click();
    await expect(studio.byTestId('backend')).toHaveText('webgpu', { timeout: 120_000 });
    await studio.train.waitForState('done', 280_000);
    expect(Number(await studio.byTestId('param-count').textContent())).toBe(planned);

    const losses = await studio.train.losses();
    expect(losses).toHaveLength(30);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));

    // Raw scores: the teacher's (about 82-104 on this sample) and the student's, each on an axis of its own.
    await expect(studio.byTestId('score-histogram')).toHaveAttribute('data-rendered', 'true');
    expect(await studio.byTestId('score-histogram-student').locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    const stat = async (id: string, key: string) => Number(await studio.byTestId(id).getAttribute(`data-${key}`));
    const teacherMin = await stat('score-histogram-teacher', 'min');
    expect(teacherMin).toBeGreaterThan(50);
    expect(await stat('score-histogram-student', 'std')).toBeGreaterThan(0);
    // Margin-MSE fixes margins, not levels: the student's scores stay where its architecture puts them.
    expect(await stat('score-histogram-student', 'max')).toBeLessThan(teacherMin);

    // The finished run is kept for comparison, under its architecture and loss.
    const row = studio.byTestId('run-row').last();
    await expect(row).toHaveAttribute('data-arch', arch);
    await expect(row).toHaveAttribute('data-loss', 'margin-mse');
    await expect(row).toHaveAttribute('data-params', String(planned));
    expect(errors).toEqual([]);
  });
}

test('a grid runs students × losses one after another and their curves and margins overlay', async ({ page }) => {
  const studio = new StudioPage(page);
  await openWithNq(studio);
  await studio.train.configure({ ...SMALL, 'config-steps': 4, 'config-probe-size': 16 });
  const grid = { archs: ['dot', 'cat'], losses: ['margin-mse', 'ranknet'] };
  await studio.train.chooseGrid(grid);
  await expect(studio.byTestId('grid-start')).toHaveText(/4 runs/);
  await studio.train.runGrid({ ...grid, timeout: 280_000 });

  const rows = studio.byTestId('run-row');
  await expect(rows).toHaveCount(4);
  const combos = await rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-arch')}/${tr.getAttribute('data-loss')}`));
  expect(combos).toEqual(['dot/margin-mse', 'dot/ranknet', 'cat/margin-mse', 'cat/ranknet']);
  const grids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-grid')));
  expect(new Set(grids).size).toBe(1);
  expect(grids[0]).toMatch(/^grid-/);

  for (let i = 0; i < 4; i++) await rows.nth(i).getByTestId('run-compare').check();
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
  const params = Number(await rows.nth(3).getAttribute('data-params'));
  const [safetensors] = await Promise.all([page.waitForEvent('download'), studio.byTestId('export-safetensors').click()]);
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
  const got = new Promise<void>((resolve) =>
    page.on('download', async (d) => {
      tfjsFiles.set(d.suggestedFilename(), readFileSync(await d.path()));
      if (tfjsFiles.size === 2) resolve();
    }),
  );
  await studio.byTestId('export-tfjs').click();
  await got;
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
  const probeStats = async () => {
    const el = studio.byTestId('score-histogram-student');
    return Promise.all(['mean', 'std', 'min', 'max', 'count'].map((k) => el.getAttribute(`data-${k}`)));
  };
  const before = await probeStats();
  await page.reload();
  await expect(studio.byTestId('run-row')).toHaveCount(4);

  // Loaded back into a fresh worker, each export scores the probe set exactly as the trained student did.
  const loadWeights = async (files: { name: string; mimeType: string; buffer: Buffer }[]) => {
    await studio.byTestId('import-weights').setInputFiles(files);
    await studio.train.waitForState('done');
    await expect(studio.byTestId('score-histogram')).toHaveAttribute('data-rendered', 'true');
  };
  await loadWeights([{ name: 'cat-ranknet-step4.safetensors', mimeType: 'application/octet-stream', buffer: st }]);
  expect(await probeStats()).toEqual(before);
  expect(Number(await studio.byTestId('param-count').textContent())).toBe(params);
  await page.reload();
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
  await studio.byTestId('import-weights').setInputFiles([{ name: 'as-dot.safetensors', mimeType: 'application/octet-stream', buffer: asDot }]);
  await expect(studio.byTestId('weights-error')).toHaveText(/weight encoder\/pos_emb has shape \[35, 16\] in the file; the configured dot student expects \[25, 16\]/);
  // A file that is not safetensors at all is refused before the worker sees it.
  await studio.byTestId('import-weights').setInputFiles([{ name: 'junk.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a safetensors file at all') }]);
  await expect(studio.byTestId('weights-error')).toHaveText(/junk\.safetensors: the header length \d+ is over the/);
});
