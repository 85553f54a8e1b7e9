/**
 * A new dataset made from another with teacher triples the studio made: the texts, qrels and candidates copied as
 * stored (chunk by chunk, no tokenizing), the triples written from `triples` as imported teacher triples are, and
 * how they were made kept beside them. The source is not touched; until the copy is ready the catalog says
 * `importing`, and a copy cut off is removed (here on failure, or by the next page load's recovery).
 */
import { DatasetWriter, forEachChunk, type PendingChunk } from './store/dataset-db';
import { getDataset } from './store/catalog';
import type { DatasetInfo, TripleColumns } from './store/schema';
import type { TeacherProvenance } from './provenance';
import { TeacherStats } from './teacher-stats';

export class EmptyTriplesError extends Error {
  override name = 'EmptyTriplesError';
}

/** Copies in flight before the copy waits: bounded memory whatever the collection's size. */
const WRITES_IN_FLIGHT = 4;

export interface DerivedDataset {
  id: string;
  name: string;
  lock?: string;
}

export async function deriveWithTriples(
  sourceId: string,
  target: DerivedDataset,
  triples: AsyncIterable<TripleColumns>,
  provenance: (written: number) => TeacherProvenance,
  onCopied: (rows: number, total: number) => void = () => undefined,
  signal: { cancelled: boolean } = { cancelled: false },
): Promise<DatasetInfo> {
  const source = await getDataset(sourceId);
  if (!source || source.status !== 'ready') throw new Error(`dataset ${sourceId} does not exist or is still being imported`);
  const writer = await DatasetWriter.create({ id: target.id, name: target.name, source: source.source, tokenizer: source.tokenizer, ...(source.vocab ? { vocab: source.vocab } : {}), lock: target.lock });
  const total = source.counts.passages + source.counts.queries + source.counts.qrels + source.counts.candidates;
  let copied = 0;
  const cancelled = () => {
    if (signal.cancelled) throw new Error('cancelled');
  };
  try {
    for (const table of ['passages', 'queries', 'qrels', 'candidates'] as const) {
      await forEachChunk(sourceId, table, async (columns) => {
        cancelled();
        const rows = 'id' in columns ? columns.id.length : columns.qid.length;
        writer.enqueue({ table, rows, columns } as PendingChunk);
        copied += rows;
        onCopied(copied, total);
        await writer.settle(WRITES_IN_FLIGHT);
      });
    }
    const stats = new TeacherStats();
    let written = 0;
    for await (const columns of triples) {
      cancelled();
      for (let i = 0; i < columns.qid.length; i++) stats.add(columns.posScore[i] as number, columns.negScore[i] as number);
      writer.enqueue({ table: 'triples', rows: columns.qid.length, columns });
      written += columns.qid.length;
      await writer.settle(WRITES_IN_FLIGHT);
    }
    // A dataset without a triple has nothing to train on: refused, and what was copied goes.
    if (written === 0) throw new EmptyTriplesError('no teacher triple was made, so no dataset was written');
    return await writer.finish({
      ...(source.files ? { files: source.files } : {}),
      ...(source.runs ? { runs: source.runs } : {}),
      ...(written > 0 ? { teacher: stats.summary() } : {}),
      provenance: provenance(written),
      derivedFrom: sourceId,
    });
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  }
}
