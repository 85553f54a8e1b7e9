/**
 * Training and evaluating on a collection too big to read whole: a generated MS MARCO-shaped dataset imported
 * through the page, trained, then evaluated (BM25 over the whole collection, its index built into files), with the
 * worker's memory (JS heap and array buffers, through the DevTools protocol) sampled all along.
 * The whole-table path held every passage's text and tokens in the worker; this one reads token rows a batch at a
 * time. Measured on 150,000 passages: the whole-table path grew the worker by 164 MB (3.6 times the texts' 45 MB);
 * this one by 30 MB, most of it chunks read while the files are written and not yet collected. The bound is what
 * the passage table's columns hold at the least (the texts' bytes and 4 bytes a token, at least one token a word),
 * which the whole-table path exceeds by reading them alone. Evaluating on 300,000 passages (building BM25's index into
 * files, 32 MB blocks of postings and a 16 MB table of document frequencies, then ranking) grew the worker by 100 to
 * 160 MB at its peak, much of it stored chunks read and not yet collected; the whole-table path held the table and
 * BM25's postings in memory (6 bytes per distinct word of a passage) together, the bound on that peak. Once collected,
 * what stays is bounded by what the design keeps: the open index (`openIndexBytes`), the passage ids, the queries.
 */
import { expect, test } from '@playwright/test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StudioPage } from '../scripts/studio-page.mjs';
import { WorkerMemory } from '../scripts/worker-memory.mjs';
import { Rng } from '../src/util/random';
import { openIndexBytes } from '../src/eval/bm25-files';

const PASSAGES = Number(process.env.SCALE_PASSAGES ?? 300_000);
const QUERIES = 5_000;
const TRIPLES = 20_000;
/** Queries with a relevant passage in the qrels: what evaluation ranks the collection for. */
const DEV = 20;

/** Words made of syllables, so the word-piece tokenizer sees a realistic mix of whole words and pieces. */
function words(rng: Rng, n: number): string {
  const syllables = ['ma', 'ri', 'ton', 'gel', 'su', 'pra', 'vin', 'do', 'ke', 'lor', 'than', 'es', 'quo', 'bi', 'nu', 'zar'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(Array.from({ length: 1 + rng.int(3) }, () => rng.pick(syllables)).join(''));
  return out.join(' ');
}

async function generate(dir: string): Promise<{ files: string[]; tableBytes: number; postingBytes: number; queryTableBytes: number }> {
  const rng = new Rng(17);
  const lines: string[] = [];
  let tableBytes = 0;
  let postingBytes = 0;
  for (let p = 0; p < PASSAGES; p++) {
    const n = 30 + rng.int(40);
    const text = words(rng, n);
    tableBytes += Buffer.byteLength(text) + 4 * n;
    // An in-memory BM25 index holds a posting (a 4-byte row, a 2-byte count) per distinct word of each passage.
    postingBytes += 6 * new Set(text.split(' ')).size;
    lines.push(`${p}\t${text}`);
  }
  await writeFile(join(dir, 'collection.tsv'), lines.join('\n') + '\n');
  const queries = Array.from({ length: QUERIES }, () => words(rng, 3 + rng.int(5)));
  // The query table's columns at the most: the texts' bytes, 4 bytes a token (a word piece is at least one letter,
  // and [CLS] and [SEP] besides) and 12 bytes a row (its id and two offsets).
  const queryTableBytes = queries.reduce((sum, q) => sum + Buffer.byteLength(q) + 4 * (q.length + 2) + 12, 0);
  await writeFile(join(dir, 'queries.tsv'), queries.map((q, i) => `${1_000_000 + i}\t${q}`).join('\n') + '\n');
  const triples = Array.from({ length: TRIPLES }, () => `${(10 + rng.next() * 5).toFixed(3)}\t${(rng.next() * 5).toFixed(3)}\t${1_000_000 + rng.int(QUERIES)}\t${rng.int(PASSAGES)}\t${rng.int(PASSAGES)}`);
  await writeFile(join(dir, 'teacher-ids.tsv'), triples.join('\n') + '\n');
  await writeFile(join(dir, 'qrels.tsv'), Array.from({ length: DEV }, (_, q) => `${1_000_000 + q}\t0\t${rng.int(PASSAGES)}\t1`).join('\n') + '\n');
  return { files: ['collection.tsv', 'queries.tsv', 'teacher-ids.tsv', 'qrels.tsv'].map((f) => join(dir, f)), tableBytes, postingBytes, queryTableBytes };
}

test('trains and evaluates on a large generated collection with the worker holding token rows and files, not the tables', async ({ page }) => {
  const dir = await mkdtemp(join(tmpdir(), 'margin-scale-'));
  try {
    const { files, tableBytes, postingBytes, queryTableBytes } = await generate(dir);
    const studio = new StudioPage(page);
    await studio.open();
    await studio.data.waitForDemo();
    const memory = await WorkerMemory.attach(page, 'trainer.worker');
    const small = { 'config-batch-size': 8, 'config-hidden': 16, 'config-layers': 1, 'config-query-length': 8, 'config-passage-length': 32, 'config-probe-size': 32, 'config-eval-every': 0, 'config-seed': 5 };
    // Two steps on the demo first: the training worker starts and loads its backend, so what the big run adds is
    // the data path's own.
    await studio.train.configure({ ...small, 'config-steps': 2 });
    await studio.byTestId('train-start').click();
    await studio.train.waitForState('done');
    await studio.data.importFiles(files, 'done', 300_000);
    await expect(studio.byTestId('dataset-summary')).toHaveAttribute('data-passages', String(PASSAGES));
    await expect(studio.byTestId('dataset-summary')).toHaveAttribute('data-triples', String(TRIPLES));
    const dataset = (await studio.byTestId('dataset-summary').getAttribute('data-dataset')) ?? '';

    await studio.train.configure({ ...small, 'config-steps': 30 });
    expect(memory.session()).not.toBeNull();
    await memory.collectGarbage();
    const before = await memory.sample();
    memory.peak = before.total;
    memory.watch(100);
    await studio.byTestId('train-start').click();
    // The first run on the dataset writes its training files, saying how far it is.
    await expect(studio.byTestId('train-preparing')).toContainText('preparing the training files', { timeout: 60_000 });
    await studio.train.waitForState('done', 240_000);
    const peak = memory.stop();
    expect(Number(await studio.byTestId('train-step').textContent())).toBe(30);
    const losses = await studio.train.losses();
    expect(losses).toHaveLength(30);
    expect(losses.every(Number.isFinite)).toBe(true);

    // Reading the passages whole would hold at least their columns (and a second copy while joining the chunks).
    const growth = peak - before.total;
    console.log(`worker memory: ${(before.total / 1e6).toFixed(1)} MB before, peak ${(peak / 1e6).toFixed(1)} MB; the passage table at the least ${(tableBytes / 1e6).toFixed(1)} MB`);
    expect(growth).toBeGreaterThan(0);
    expect(growth).toBeLessThan(tableBytes);
    // What stays once the garbage is collected: the student (kept for evaluation) and the sampler's indices.
    await memory.collectGarbage();
    const after = await memory.sample();
    console.log(`worker memory after the run, garbage collected: ${(after.total / 1e6).toFixed(1)} MB`);
    expect(after.total - before.total).toBeLessThan(tableBytes / 10);

    // Evaluation ranks the whole collection with BM25 (its index built into files), the student re-ranking its top
    // 5, without the tables either.
    await memory.collectGarbage();
    const beforeEval = await memory.sample();
    memory.peak = beforeEval.total;
    memory.watch(100);
    const rows = await studio.evaluation.run({ depth: 5, dense: false, timeout: 300_000 });
    const evalPeak = memory.stop();
    console.log(`worker memory while evaluating: ${(beforeEval.total / 1e6).toFixed(1)} MB before, peak ${(evalPeak / 1e6).toFixed(1)} MB; the passage table and BM25's postings in memory at the least ${((tableBytes + postingBytes) / 1e6).toFixed(1)} MB`);
    expect(rows.map((r) => r.system)).toEqual(['student', 'bm25']);
    expect(rows.every((r) => r.queries === DEV)).toBe(true);
    expect((await studio.evaluation.timing()).bm25IndexSeconds).toBeGreaterThan(0);
    // The whole-table path held the passage table live and built BM25's postings beside it: at the least their
    // bytes, both computed from the generated texts above. This path's peak stays below that even counting what it
    // has read and not yet collected (stored chunks read for the texts shown, the build's blocks).
    const wholeTableLeast = tableBytes + postingBytes;
    expect(evalPeak - beforeEval.total).toBeLessThan(wholeTableLeast);
    // Once that garbage is collected, what evaluation keeps for the next one is what its design holds, a few bytes a
    // passage: the open index (passage lengths, term starts, the postings cache's budget; BM25 is read a term at a
    // time), the passage ids (4 bytes a passage; ascending, they are their own index) and the query table.
    await memory.collectGarbage();
    const afterEval = await memory.sample();
    const evaluationKeeps = openIndexBytes(PASSAGES) + 4 * PASSAGES + queryTableBytes;
    console.log(`worker memory after evaluating, garbage collected: ${((afterEval.total - beforeEval.total) / 1e6).toFixed(1)} MB more than before; its design keeps at the most ${(evaluationKeeps / 1e6).toFixed(1)} MB`);
    expect(afterEval.total - beforeEval.total).toBeLessThan(evaluationKeeps);

    // The token rows and the BM25 index are in the Origin Private File System, in a folder of this dataset's.
    const stored = await page.evaluate(async (id) => {
      const root = await navigator.storage.getDirectory();
      const rows = await root.getDirectoryHandle('training-rows');
      const names: string[] = [];
      const dataset = await rows.getDirectoryHandle(id);
      for await (const version of dataset.keys()) {
        for await (const name of (await dataset.getDirectoryHandle(version)).keys()) names.push(name);
      }
      return names.sort();
    }, dataset);
    expect(stored).toEqual(['bm25.index', 'bm25.json', 'manifest.json', 'passages.rows', 'queries.rows', 'triples.records']);

    // Deleting the dataset removes its files too (evaluation holds them open until then).
    await studio.data.deleteDataset(dataset);
    const left = await page.evaluate(async (id) => {
      const rows = await (await navigator.storage.getDirectory()).getDirectoryHandle('training-rows');
      const names: string[] = [];
      for await (const name of rows.keys()) names.push(name);
      return names.includes(id);
    }, dataset);
    expect(left).toBe(false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
