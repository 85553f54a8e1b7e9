// IndexedDB in Node for isolation; the browser tests exercise Chromium's real IndexedDB.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { importDemo } from '../import.core';
import { getDataset, listDatasets } from './catalog';
import { DatasetWriter, readTable, recoverUnfinishedDatasets } from './dataset-db';
import { textAt } from './columns';

const small = { passages: 120, trainQueries: 12, devQueries: 3, negativesPerQuery: 2, candidatesPerDevQuery: 10 };

describe('dataset storage', () => {
  it('stores the demo through the writer and reads every table back', async () => {
    const phases: string[] = [];
    const info = await importDemo({ ...small, seed: 3 }, (p) => phases.push(p.phase), { cancelled: false });
    expect(info.status).toBe('ready');
    expect(info.counts).toEqual({ passages: 120, queries: 15, triples: 24, qrels: expect.any(Number), candidates: 30 });
    expect(phases).toContain('storing');
    const passages = await readTable(info.id, 'passages');
    expect(passages?.id).toHaveLength(120);
    expect(textAt(passages!, 0).length).toBeGreaterThan(10);
    const triples = await readTable(info.id, 'triples');
    expect(triples?.posScore).toBeInstanceOf(Float32Array);
    expect(triples?.qid).toHaveLength(24);
  });

  it('replaces an earlier copy of the same demo', async () => {
    const first = await importDemo({ ...small, seed: 8 }, () => undefined, { cancelled: false });
    const second = await importDemo({ ...small, seed: 8 }, () => undefined, { cancelled: false });
    const ids = (await listDatasets()).map((d) => d.id);
    expect(ids).toContain(second.id);
    expect(ids).not.toContain(first.id);
  });

  it('leaves nothing behind when an import is cancelled', async () => {
    const before = (await listDatasets()).length;
    const signal = { cancelled: false };
    await expect(
      importDemo({ ...small, seed: 4 }, (p) => {
        if (p.phase === 'storing') signal.cancelled = true;
      }, signal),
    ).rejects.toThrow(/cancelled/);
    expect(await listDatasets()).toHaveLength(before);
  });

  it('never reads a dataset that is still importing, and clears abandoned ones', async () => {
    const writer = await DatasetWriter.create({ id: 'half', name: 'half', source: 'files', tokenizer: 'hash-words-v1:64' });
    await writer.append([{ table: 'qrels', rows: 1, columns: { qid: Int32Array.of(1), pid: Int32Array.of(2), grade: Int32Array.of(1) } }]);
    await expect(readTable('half', 'qrels')).rejects.toThrow(/not completely imported/);
    expect(await recoverUnfinishedDatasets(Date.now())).toEqual([]);
    expect(await recoverUnfinishedDatasets(Date.now() + 120_000)).toEqual(['half']);
    expect(await getDataset('half')).toBeUndefined();
  });
});
