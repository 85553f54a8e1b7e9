/** The MS MARCO sample imported as a dataset (in IndexedDB: the tests bring fake-indexeddb), with its tables read back. */
import { importFiles } from '../data/import.core';
import { readTable } from '../data/store/dataset-db';
import type { DatasetInfo, TableColumns } from '../data/store/schema';
import { fixtureFile } from './fixtures';

export interface SampleDataset {
  info: DatasetInfo;
  passages: TableColumns['passages'];
  queries: TableColumns['queries'];
  qrels: TableColumns['qrels'];
  candidates: TableColumns['candidates'] | null;
  triples: TableColumns['triples'] | null;
}

/** Imports collection, queries, qrels and id-based teacher scores of the sample, and `runs` as candidate lists. */
export async function importMsmarcoSample(id: string, runs: File[] = []): Promise<SampleDataset> {
  const files = ['collection.tsv', 'queries.tsv', 'qrels.tsv', 'teacher-ids.tsv'].map((n) => ({ file: fixtureFile(`msmarco-sample/${n}`) }));
  files.push(...runs.map((file) => ({ file })));
  const info = await importFiles(files, { id }, () => undefined, { cancelled: false });
  const [passages, queries, qrels, candidates, triples] = await Promise.all([
    readTable(info.id, 'passages'),
    readTable(info.id, 'queries'),
    readTable(info.id, 'qrels'),
    readTable(info.id, 'candidates'),
    readTable(info.id, 'triples'),
  ]);
  if (!passages || !queries || !qrels) throw new Error('the MS MARCO sample did not import its passages, queries and qrels');
  return { info, passages, queries, qrels, candidates, triples };
}
