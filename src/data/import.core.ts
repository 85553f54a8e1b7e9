/** The import work itself: no DOM, no React. The worker and the tests call these functions. */
import { generateDemo, type DemoOptions } from './demo/generator';
import { DatasetWriter } from './store/dataset-db';
import { deleteDataset, listDatasets } from './store/catalog';
import { textColumns } from './store/columns';
import type { DatasetInfo, TableColumns, TableName } from './store/schema';
import { tokenize, tokenizerId, type HashingTokenizerSpec } from '../text/hashing';

export const DEFAULT_TOKENIZER: HashingTokenizerSpec = { kind: 'hash-words', buckets: 8192 };
/** Rows per stored chunk: big enough that per-record overhead vanishes, small enough to stream. */
export const CHUNK_ROWS = 4096;

export interface ImportProgress {
  phase: 'generating' | 'storing';
  done: number;
  total: number;
}

export class ImportCancelled extends Error {
  override name = 'ImportCancelled';
}

interface PendingChunk {
  table: TableName;
  rows: number;
  columns: TableColumns[TableName];
}

function* slices<T>(rows: readonly T[]): Generator<T[]> {
  for (let at = 0; at < rows.length; at += CHUNK_ROWS) yield rows.slice(at, at + CHUNK_ROWS);
}

function int32(values: number[]): Int32Array {
  return Int32Array.from(values);
}

/** Builds the demo dataset and stores it through the same writer that file imports use. */
export async function importDemo(
  options: Partial<DemoOptions>,
  onProgress: (p: ImportProgress) => void,
  signal: { cancelled: boolean },
  tokenizer: HashingTokenizerSpec = DEFAULT_TOKENIZER,
): Promise<DatasetInfo> {
  onProgress({ phase: 'generating', done: 0, total: 1 });
  const demo = generateDemo(options);
  const tok = (text: string) => tokenize(text, tokenizer);

  const chunks: PendingChunk[] = [];
  for (const part of slices(demo.passages)) chunks.push({ table: 'passages', rows: part.length, columns: textColumns(part, tok) });
  for (const part of slices(demo.queries)) chunks.push({ table: 'queries', rows: part.length, columns: textColumns(part, tok) });
  for (const part of slices(demo.triples)) {
    chunks.push({
      table: 'triples',
      rows: part.length,
      columns: {
        qid: int32(part.map((t) => t.qid)),
        pos: int32(part.map((t) => t.pos)),
        neg: int32(part.map((t) => t.neg)),
        posScore: Float32Array.from(part.map((t) => t.posScore)),
        negScore: Float32Array.from(part.map((t) => t.negScore)),
      },
    });
  }
  for (const part of slices(demo.qrels)) {
    chunks.push({ table: 'qrels', rows: part.length, columns: { qid: int32(part.map((r) => r.qid)), pid: int32(part.map((r) => r.pid)), grade: int32(part.map((r) => r.grade)) } });
  }
  for (const part of slices(demo.candidates)) {
    chunks.push({
      table: 'candidates',
      rows: part.length,
      columns: {
        qid: int32(part.map((c) => c.qid)),
        pid: int32(part.map((c) => c.pid)),
        rank: int32(part.map((c) => c.rank)),
        score: Float32Array.from(part.map((c) => c.score)),
      },
    });
  }

  const total = chunks.reduce((n, c) => n + c.rows, 0);
  const seed = options.seed ?? 'default';
  const writer = await DatasetWriter.create({
    id: `demo-${seed}-${Date.now().toString(36)}`,
    name: `Demo corpus (seed ${seed})`,
    source: 'demo',
    tokenizer: tokenizerId(tokenizer),
  });
  try {
    let done = 0;
    onProgress({ phase: 'storing', done, total });
    // A few chunks per transaction: fewer commits, and progress still moves.
    for (let at = 0; at < chunks.length; at += 4) {
      if (signal.cancelled) throw new ImportCancelled('import cancelled');
      const batch = chunks.slice(at, at + 4);
      await writer.append(batch);
      done += batch.reduce((n, c) => n + c.rows, 0);
      onProgress({ phase: 'storing', done, total });
    }
    const info = await writer.finish();
    // Loading the demo again replaces the earlier copy rather than piling up identical datasets.
    for (const old of await listDatasets()) {
      if (old.source === 'demo' && old.name === info.name && old.id !== info.id) await deleteDataset(old.id);
    }
    return info;
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
