import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { StudioPage } from '../scripts/studio-page.mjs';
import { FIXTURES } from '../src/testing/fixtures';

const SAMPLE = ['teacher-ids.tsv', 'collection.tsv', 'queries.tsv', 'qrels.tsv'].map((f) => join(FIXTURES, 'msmarco-sample', f));
/** What the handoff's train.py wrote for this sample and start (200 steps, PyTorch on a CPU): e2e/fixtures/README.md. */
const OUTPUT = fileURLToPath(new URL('./fixtures/handoff-output', import.meta.url));

const rows = (relative: string) => readFileSync(join(FIXTURES, relative), 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));


test.describe('handing a run off to PyTorch and taking the result back', () => {
  test.setTimeout(600_000);

  test('export-handoff on msmarco-sample from hf-tiny/bert-dot: files, counts, train.py --check-data; its output imports as a model, a run and an evaluation row', async ({ page }) => {
    const out = mkdtempSync(join(tmpdir(), 'margin-handoff-'));
    const studio = new StudioPage(page);
    await studio.open();
    await studio.data.waitForDemo();
    await studio.data.importFiles(SAMPLE);
    await studio.models.importFolder(join(FIXTURES, 'hf-tiny', 'bert-dot'));
    await studio.models.choose('bert-dot');
    await studio.models.tokenizeForModel();

    // A short browser run of the dot student: the run that is handed off.
    await studio.train.configure({ 'arch-select': 'dot', 'config-steps': 6, 'config-batch-size': 8, 'config-query-length': 8, 'config-passage-length': 24, 'config-probe-size': 16, 'config-learning-rate': 0.001, 'config-warmup-steps': 0, 'config-schedule': 'constant' });
    await studio.train.start();
    await studio.train.waitForState('done', 300_000);

    // The first run wrote the dataset's training files; the storage panel lists them beside its tables (each
    // triple is a 20-byte record there, so they take at least that much).
    const teacherLines = rows('msmarco-sample/teacher-ids.tsv').length;
    await expect
      .poll(async () => Math.max(0, ...(await page.getByTestId('storage-row').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-training-bytes')))))), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(teacherLines * 20);

    const handoff = await studio.export.handoff();
    if (!('download' in handoff)) throw new Error(`the handoff was refused: ${handoff.error}`);
    const zip = handoff.download;
    const path = join(out, zip.suggestedFilename());
    await zip.saveAs(path);
    expect(zip.suggestedFilename()).toMatch(/^handoff-dot-margin-mse-.*\.zip$/);
    const entries = unzipSync(new Uint8Array(readFileSync(path)));
    const root = Object.keys(entries)[0]!.split('/')[0]!;
    const file = (p: string) => entries[`${root}/${p}`];
    const names = Object.keys(entries).map((n) => n.slice(root.length + 1));
    expect(names).toEqual(expect.arrayContaining(['train.py', 'requirements.txt', 'README.md', 'run.json', 'data/triples.tsv', 'data/queries.tsv', 'data/collection.tsv', 'data/qrels.tsv', 'model/config.json', 'model/model.safetensors', 'model/vocab.txt', 'model/modules.json', 'model/1_Pooling/config.json']));

    // Counts against the fixture files, computed here independently.
    const teacher = rows('msmarco-sample/teacher-ids.tsv');
    const used = new Set(teacher.flatMap((t) => [t[3], t[4]]));
    const lines = (p: string) => strFromU8(file(p)!).trimEnd().split('\n');
    expect(lines('data/triples.tsv')).toHaveLength(teacher.length);
    expect(lines('data/queries.tsv')).toHaveLength(rows('msmarco-sample/queries.tsv').length);
    expect(new Set(lines('data/collection.tsv').map((l) => l.split('\t')[0]))).toEqual(used);
    expect(lines('data/qrels.tsv')).toHaveLength(rows('msmarco-sample/qrels.tsv').length);
    const summary = page.getByTestId('handoff-summary');
    await expect(summary).toHaveAttribute('data-triples', String(teacher.length));
    await expect(summary).toHaveAttribute('data-passages', String(used.size));
    // The run's settings as train.py reads them; the start is the checkpoint, written with the run's pooling.
    const run = JSON.parse(strFromU8(file('run.json')!)) as { train: Record<string, unknown>; steps_in_browser: number; model: { source: string } };
    expect(run.train).toMatchObject({ kind: 'bi-encoder', loss: 'margin-mse', max_steps: 6, per_device_batch_size_total: 8, learning_rate: 0.001, max_seq_length: 26 });
    expect(run.steps_in_browser).toBe(6);
    expect(run.model.source).toBe('start');
    expect(JSON.parse(strFromU8(file('model/1_Pooling/config.json')!))).toMatchObject({ pooling_mode_mean_tokens: true });

    // train.py compiles, and its --check-data mode (standard library only) reads the files and agrees on the counts.
    const dir = join(out, 'unzipped');
    for (const [name, bytes] of Object.entries(entries)) {
      if (name.endsWith('/')) continue;
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    execFileSync('python3', ['-m', 'py_compile', join(dir, root, 'train.py')]);
    const check = execFileSync('python3', [join(dir, root, 'train.py'), '--check-data'], { encoding: 'utf8' });
    expect(check).toContain(`triples: ${teacher.length}`);
    expect(check).toContain(`passages: ${used.size}`);
    expect(check).toContain('data ok');

    // The browser run's evaluation, then the PyTorch run's output brought back beside it.
    const browserMrr = (await studio.evaluation.run({ timeout: 180_000 })).find((r) => r.system === 'student')?.mrr10 ?? NaN;
    expect(Number.isFinite(browserMrr)).toBe(true);

    await studio.models.importFolder(OUTPUT);
    await expect(page.getByTestId('model-run-note')).toHaveAttribute('data-steps', '200');
    const pytorchRun = page.locator('[data-testid="run-row"][data-source="pytorch"]');
    await expect(pytorchRun).toHaveCount(1);
    await expect(pytorchRun).toHaveAttribute('data-steps', '200');
    // The loss curve from trainer_state.json: Margin-MSE fell over the 200 steps.
    expect(Number(await pytorchRun.getAttribute('data-final-loss'))).toBeLessThan(Number(await pytorchRun.getAttribute('data-first-loss')));

    await studio.models.useAsStudent('handoff-output');
    await studio.train.waitForState('done', 120_000);
    await studio.evaluation.run({ timeout: 180_000 });
    const student = page.locator('[data-testid="eval-row"][data-system="student"]');
    await expect(student).toContainText('handoff-output');
    const earlier = page.locator('[data-testid="eval-row"][data-system^="earlier:dot · margin-mse · 6 steps"]');
    await expect(earlier).toHaveCount(1);
    expect(Number(await earlier.getAttribute('data-mrr10'))).toBeCloseTo(browserMrr, 4);
    expect(Number(await student.getAttribute('data-queries'))).toBe(Number(await earlier.getAttribute('data-queries')));
    const metrics = async (row: typeof student) => ['mrr10', 'ndcg10', 'recall100'].map(async (m) => `${m} ${await row.getAttribute(`data-${m}`)}`);
    console.log(`browser run (6 steps): ${(await Promise.all(await metrics(earlier))).join(', ')}; PyTorch run (200 steps): ${(await Promise.all(await metrics(student))).join(', ')}`);
    rmSync(out, { recursive: true, force: true });
  });

  test('a student with no counterpart in sentence-transformers is refused with the reason, and nothing downloads', async ({ page }) => {
    const studio = new StudioPage(page);
    await studio.open();
    await studio.data.waitForDemo();
    await studio.train.configure({ 'arch-select': 'colbert', 'config-steps': 2, 'config-batch-size': 4, 'config-probe-size': 8 });
    await studio.train.start();
    await studio.train.waitForState('done', 300_000);
    let downloads = 0;
    page.on('download', () => downloads++);
    const refused = await studio.export.handoff();
    expect('error' in refused ? refused.error : 'a zip').toMatch(/cannot hand this run off: .*random weights|ColBERT/);
    // Nor does a web page get one: transformers.js has no such model either.
    expect(await studio.export.webRefusal()).toMatch(/^cannot export as a web page \(transformers\.js\): this colbert student runs on the studio's own transformer/);
    expect(downloads).toBe(0);
  });
});
