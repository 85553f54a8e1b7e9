import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { StudioPage, pollUntil } from '../scripts/studio-page.mjs';
import { FIXTURES, runFromTeacher } from '../src/testing/fixtures';
import { writeModelFolder } from '../src/testing/model-folders';

/** A person's own data: texts and judgements, no teacher file. */
const PLAIN = ['collection.tsv', 'queries.tsv', 'qrels.tsv'].map((f) => join(FIXTURES, 'msmarco-sample', f));
/** The job of the issue: BM25 negatives, 4 per positive from ranks 1–50; pairs as the fixture's reference cut them. */
const JOB = { 'teacher-source': 'bm25', 'teacher-from-rank': 1, 'teacher-to-rank': 50, 'teacher-per-positive': 4, 'teacher-seed': 7, 'teacher-max-length': 64, 'teacher-query-tokens': 16 };

test.describe('teacher triples for your own data', () => {
  test.setTimeout(900_000);

  test('collection + queries + qrels → a library cross-encoder scores BM25 negatives (a reload mid-way resumes) → the TSV re-imports as the same triples → a dot student distils from them → Evaluate shows the teacher row', async ({ page }) => {
    const studio = new StudioPage(page);
    // A save after every pair, so that a reload lands in the middle of scoring even on a fast machine.
    await studio.open('/?teacher-block=1');
    await studio.data.waitForDemo();
    await studio.data.importFiles(PLAIN);
    const plain = await studio.data.summary();
    expect(plain).toMatchObject({ passages: 260, queries: 10, qrels: 10, triples: 0 });
    await studio.models.importFolder(join(FIXTURES, 'hf-tiny', 'bert-cross-encoder'));

    // Scoring starts; the tab is reloaded once some pairs are scored and before all are.
    await studio.teacher.configure(['bert-cross-encoder'], JOB);
    await studio.teacher.start();
    const before = await pollUntil(() => studio.teacher.progress(), (p) => p !== null && p.phase === 'scoring' && p.done >= 3, { timeout: 300_000, interval: 20, what: 'some pairs to be scored' });
    expect(before!.total).toBe(50);
    await studio.reload();
    const unfinished = await pollUntil(() => studio.teacher.unfinished(), (u) => u !== null, { timeout: 120_000, what: 'the unfinished job to be offered' });
    expect(unfinished!.total).toBe(50);
    expect(unfinished!.scored).toBeGreaterThanOrEqual(3);
    expect(unfinished!.scored).toBeLessThan(50);
    await studio.teacher.resume();
    // The resumed job starts from what was saved, not from zero.
    const first = await pollUntil(() => studio.teacher.progress(), (p) => p !== null && p.phase === 'scoring', { timeout: 300_000, interval: 20, what: 'the resumed scoring' });
    expect(first!.done).toBeGreaterThanOrEqual(unfinished!.scored);
    const done = await studio.teacher.waitForEnd();
    // 10 queries, one positive each, 4 negatives each: 50 pairs, 40 triples, no rule.
    expect(done).toEqual({ state: 'done', pairs: 50, triples: 40, dropped: 0 });
    const made = await studio.data.summary();
    expect(made.dataset).not.toBe(plain.dataset);
    expect(made).toMatchObject({ passages: 260, queries: 10, qrels: 10, triples: 40 });
    const provenance = page.getByTestId('dataset-provenance');
    await expect(provenance).toHaveAttribute('data-source', 'bm25');
    await expect(provenance).toHaveAttribute('data-triples', '40');
    await expect(provenance).toHaveAttribute('data-pairs', '50');
    const resumedTsv = await studio.teacher.downloadTsv();
    const lines = resumedTsv.trim().split('\n');
    expect(lines).toHaveLength(40);
    for (const line of lines) {
      const [pos, neg, qid, p, n] = line.split('\t');
      expect(Number.isFinite(Number(pos)) && Number.isFinite(Number(neg))).toBe(true);
      expect(p).not.toBe(n);
      expect(Number(qid)).toBeGreaterThanOrEqual(1000);
    }

    // The same job uninterrupted, on the same plain dataset: the same triples, to the last digit.
    await studio.fill({ 'dataset-select': plain.dataset });
    await studio.teacher.start();
    expect((await studio.teacher.waitForEnd()).triples).toBe(40);
    expect(await studio.teacher.downloadTsv()).toBe(resumedTsv);

    // The downloaded TSV with the texts and qrels imports as the same dataset: same counts, same triples.
    const tsvPath = test.info().outputPath('teacher-ids.tsv');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(tsvPath, resumedTsv);
    await studio.data.importFiles([...PLAIN, tsvPath]);
    const reimported = await studio.data.summary();
    expect({ ...reimported, dataset: '' }).toEqual({ ...made, dataset: '' });
    expect(await studio.teacher.downloadTsv()).toBe(resumedTsv);

    // Distil a dot student from hf-tiny bert-dot on the made triples (tokenized for it), then evaluate with the
    // cross-encoder's own row beside the student's.
    await studio.fill({ 'dataset-select': made.dataset });
    await studio.models.importFolder(join(FIXTURES, 'hf-tiny', 'bert-dot'));
    await studio.models.choose('bert-dot');
    await studio.models.tokenizeForModel();
    expect((await studio.data.summary()).triples).toBe(40);
    await studio.train.configure({ 'arch-select': 'dot', 'config-steps': 4, 'config-batch-size': 8, 'config-query-length': 8, 'config-passage-length': 24, 'config-probe-size': 8, 'config-learning-rate': 0.001, 'config-warmup-steps': 0, 'config-schedule': 'constant' });
    await studio.train.start();
    await studio.train.waitForState('done', 300_000);
    expect((await studio.train.losses()).every(Number.isFinite)).toBe(true);
    await studio.fill({ 'eval-teacher': await page.getByTestId('eval-teacher').locator('option', { hasText: 'bert-cross-encoder' }).getAttribute('value') ?? '' });
    const rows = await studio.evaluation.run({ depth: 20, dense: false });
    expect(rows.map((r) => r.system).sort()).toEqual(['bm25', 'student', 'teacher']);
    const teacher = rows.find((r) => r.system === 'teacher')!;
    expect(teacher.queries).toBe(10);
    expect(teacher.mrr10).toBeGreaterThanOrEqual(0);
    expect(teacher.mrr10).toBeLessThanOrEqual(1);

    // The student's export says how its teacher triples were made (the tokenized copy keeps the provenance).
    const zip = await studio.export.huggingFace();
    const zipPath = test.info().outputPath('student.zip');
    await zip.saveAs(zipPath);
    const { unzipSync, strFromU8 } = await import('fflate');
    const entries = unzipSync(new Uint8Array(readFileSync(zipPath)));
    const card = strFromU8(Object.entries(entries).find(([name]) => name.endsWith('/README.md'))![1]);
    expect(card).toContain('made in Margin Studio: bert-cross-encoder scored 50 pairs (queries cut at 16 tokens, pairs at 64); 4 negatives per positive from bm25 ranks 1–50 (seed 7)');

    // Hard negatives from the dot student just trained: its top ranks over the collection.
    await studio.teacher.configure(['bert-cross-encoder'], { 'teacher-source': 'dense', 'teacher-to-rank': 20 });
    await studio.teacher.start();
    expect(await studio.teacher.waitForEnd()).toMatchObject({ state: 'done', triples: 40 });
    await expect(page.getByTestId('dataset-provenance')).toHaveAttribute('data-source', 'dense');
  });

  test('negatives from an imported run; Cancel keeps what was scored and Resume goes on from there', async ({ page }) => {
    const studio = new StudioPage(page);
    await studio.open('/?teacher-block=1');
    await studio.data.waitForDemo();
    const runPath = test.info().outputPath('bm25.run');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(runPath, runFromTeacher('msmarco-sample/teacher-ids.tsv', 'bm25'));
    await studio.data.importFiles([...PLAIN, runPath]);
    expect(await studio.data.count('candidates')).toBeGreaterThan(0);
    await studio.models.importFolder(join(FIXTURES, 'hf-tiny', 'bert-cross-encoder'));
    await studio.teacher.configure(['bert-cross-encoder'], { ...JOB, 'teacher-source': 'run', 'teacher-to-rank': 20, 'teacher-per-positive': 3 });
    await studio.teacher.start();
    await pollUntil(() => studio.teacher.progress(), (p) => p !== null && p.phase === 'scoring' && p.done >= 2, { timeout: 300_000, interval: 20, what: 'some pairs to be scored' });
    await studio.teacher.cancel();
    expect((await studio.teacher.waitForEnd()).state).toBe('cancelled');
    await expect(page.getByTestId('teacher-error')).toContainText('cancelled: the pairs scored so far are kept');
    const kept = await pollUntil(() => studio.teacher.unfinished(), (u) => u !== null, { timeout: 60_000, what: 'the cancelled job to be offered' });
    // 10 queries, one positive and three negatives each.
    expect(kept!.total).toBe(40);
    expect(kept!.scored).toBeGreaterThanOrEqual(2);
    expect(kept!.scored).toBeLessThan(40);
    await studio.teacher.resume();
    expect(await studio.teacher.waitForEnd()).toEqual({ state: 'done', pairs: 40, triples: 30, dropped: 0 });
    await expect(page.getByTestId('dataset-provenance')).toHaveAttribute('data-source', 'run');
    // The run's negatives are the run's passages.
    const run = runFromTeacher('msmarco-sample/teacher-ids.tsv', 'bm25');
    const listed = new Set(run.trim().split('\n').map((l) => l.split(/\s+/)[2]));
    for (const line of (await studio.teacher.downloadTsv()).trim().split('\n')) expect(listed.has(line.split('\t')[4])).toBe(true);

    // A rule that drops every triple makes no dataset and says why; the scores stay, so without the rule the same
    // job ends without scoring a pair again.
    const source = (await page.getByTestId('dataset-select').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)))[1]!;
    await studio.fill({ 'dataset-select': source });
    await studio.teacher.configure(['bert-cross-encoder'], { 'teacher-drop-false': true, 'teacher-fraction': 0.01 });
    await studio.teacher.start();
    await expect(studio.teacher.waitForEnd()).rejects.toThrow('the false-negative rule dropped every triple (30 of 30)');
    expect(await studio.teacher.unfinished()).toEqual({ scored: 40, total: 40 });
    await studio.teacher.configure(['bert-cross-encoder'], { 'teacher-drop-false': false });
    await studio.teacher.start();
    expect(await studio.teacher.waitForEnd()).toEqual({ state: 'done', pairs: 40, triples: 30, dropped: 0 });
  });

  test('two teachers: the triples carry the mean of each teacher\'s z-scores, computed here from the single teachers\' own triples', async ({ page }) => {
    // A second cross-encoder over the fixture's vocabulary: random weights of the same small shape.
    const second = test.info().outputPath('tiny-cross-encoder-b');
    const vocab = readFileSync(join(FIXTURES, 'hf-tiny', 'bert-cross-encoder', 'vocab.txt'), 'utf8').trimEnd().split('\n');
    writeModelFolder(second, { type: 'bert', layers: 2, hidden: 32, heads: 4, ffn: 64, vocabSize: vocab.length, maxPositions: 128 }, 'F32', { vocab, kind: 'cross-encoder', trainedNorms: true });
    const studio = new StudioPage(page);
    await studio.open();
    await studio.data.waitForDemo();
    await studio.data.importFiles(PLAIN);
    const plain = (await studio.data.summary()).dataset;
    await studio.models.importFolder(join(FIXTURES, 'hf-tiny', 'bert-cross-encoder'));
    await studio.models.importFolder(second);
    const triples = async (teachers: string[], standardise: boolean) => {
      await studio.fill({ 'dataset-select': plain });
      await studio.teacher.configure(teachers, JOB);
      if (teachers.length > 1) await studio.fill({ 'teacher-standardise': standardise });
      await studio.teacher.start();
      expect(await studio.teacher.waitForEnd()).toMatchObject({ state: 'done', triples: 40 });
      return (await studio.teacher.downloadTsv()).trim().split('\n').map((l) => l.split('\t'));
    };
    const a = await triples(['bert-cross-encoder'], false);
    const b = await triples(['tiny-cross-encoder-b'], false);
    const both = await triples(['bert-cross-encoder', 'tiny-cross-encoder-b'], true);
    const raw = await triples(['bert-cross-encoder', 'tiny-cross-encoder-b'], false);
    // The same pairs whoever scores them (the negatives do not depend on the teacher).
    const ids = (t: string[][]) => t.map((r) => r.slice(2).join(' '));
    for (const t of [b, both, raw]) expect(ids(t)).toEqual(ids(a));
    // Each teacher's score per pair, and its moments over the pairs scored (population std), from its own triples.
    const perPair = (t: string[][]) => {
      const m = new Map<string, number>();
      for (const [pos, neg, q, p, n] of t) {
        m.set(`${q}:${p}`, Number(pos));
        m.set(`${q}:${n}`, Number(neg));
      }
      return m;
    };
    const [pa, pb] = [perPair(a), perPair(b)];
    const moments = (m: Map<string, number>) => {
      const v = [...m.values()];
      const mean = v.reduce((x, y) => x + y, 0) / v.length;
      return { mean, std: Math.sqrt(v.reduce((x, y) => x + (y - mean) ** 2, 0) / v.length) };
    };
    const [ma, mb] = [moments(pa), moments(pb)];
    expect(mb.std).toBeGreaterThan(0);
    const close = (got: string, want: number) => expect(Math.abs(Number(got) - want)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want)));
    both.forEach(([pos, neg, q, p, n]) => {
      close(pos!, ((pa.get(`${q}:${p}`)! - ma.mean) / ma.std + (pb.get(`${q}:${p}`)! - mb.mean) / mb.std) / 2);
      close(neg!, ((pa.get(`${q}:${n}`)! - ma.mean) / ma.std + (pb.get(`${q}:${n}`)! - mb.mean) / mb.std) / 2);
    });
    raw.forEach(([pos, , q, p]) => close(pos!, (pa.get(`${q}:${p}`)! + pb.get(`${q}:${p}`)!) / 2));
    await expect(page.getByTestId('dataset-provenance')).toHaveAttribute('data-teachers', '2');
  });
});
