// IndexedDB in Node for isolation; the browser test (e2e/teacher.spec.ts) makes the same copy in Chromium's.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { importFiles } from './import.core';
import { deriveWithTriples } from './derive';
import { getDataset, listDatasets } from './store/catalog';
import { forEachChunk, readTable } from './store/dataset-db';
import { triplesTsv } from './formats/triples-tsv';
import type { TripleColumns } from './store/schema';
import type { TeacherProvenance } from './provenance';
import { sampleProvenance } from '../testing/provenance';
import { fixtureFile, textFile } from '../testing/fixtures';

const SOURCE = ['collection.tsv', 'queries.tsv', 'qrels.tsv'].map((n) => ({ file: fixtureFile(`msmarco-sample/${n}`) }));

/** Triples as a job would give them: odd float32 scores that a careless text form would round. */
function made(): TripleColumns[] {
  const chunk = (from: number, n: number): TripleColumns => ({
    qid: Int32Array.from({ length: n }, (_v, i) => 1000 + ((from + i) % 10)),
    pos: Int32Array.from({ length: n }, (_v, i) => 5000 + ((from + i) % 10) * 26),
    neg: Int32Array.from({ length: n }, (_v, i) => 5001 + ((from + i) % 10) * 26 + (i % 20)),
    posScore: Float32Array.from({ length: n }, (_v, i) => Math.PI * (from + i) + 0.1),
    negScore: Float32Array.from({ length: n }, (_v, i) => (-Math.E * (from + i + 1)) / 7),
  });
  return [chunk(0, 30), chunk(30, 17)];
}

async function* stream(chunks: TripleColumns[]): AsyncGenerator<TripleColumns> {
  for (const c of chunks) yield c;
}

const provenance = (written: number): TeacherProvenance => sampleProvenance({ triples: written });

async function allTriples(id: string): Promise<number[][]> {
  const rows: number[][] = [];
  await forEachChunk(id, 'triples', (t) => {
    for (let i = 0; i < t.qid.length; i++) rows.push([t.qid[i]!, t.pos[i]!, t.neg[i]!, t.posScore[i]!, t.negScore[i]!]);
  });
  return rows;
}

describe('a dataset made from another with teacher triples', () => {
  it('copies texts and qrels as stored, stores the triples as imported ones are, keeps how they were made; the source stays as it was', async () => {
    const source = await importFiles(SOURCE, { id: 'plain' }, () => undefined, { cancelled: false });
    expect(source.counts.triples).toBe(0);
    const copied: number[] = [];
    const made1 = await deriveWithTriples(source.id, { id: 'made', name: 'sample · teacher' }, stream(made()), provenance, (n) => copied.push(n));
    expect(made1).toMatchObject({ status: 'ready', name: 'sample · teacher', derivedFrom: 'plain', tokenizer: source.tokenizer });
    expect(made1.counts).toEqual({ ...source.counts, triples: 47 });
    expect(made1.provenance).toEqual(provenance(47));
    expect(made1.teacher?.pos.count).toBe(47);
    expect(copied.at(-1)).toBe(source.counts.passages + source.counts.queries + source.counts.qrels);
    expect(Array.from((await readTable('made', 'passages'))!.text)).toEqual(Array.from((await readTable('plain', 'passages'))!.text));
    expect(Array.from((await readTable('made', 'qrels'))!.pid)).toEqual(Array.from((await readTable('plain', 'qrels'))!.pid));
    const rows = await allTriples('made');
    expect(rows).toEqual(made().flatMap((c) => Array.from(c.qid, (q, i) => [q, c.pos[i], c.neg[i], c.posScore[i], c.negScore[i]])));
    expect((await getDataset('plain'))?.counts).toEqual(source.counts);

    // Downloaded as the id-based TSV and imported with the same texts and qrels: the same triples, to the bit.
    let tsv = '';
    await forEachChunk('made', 'triples', (t) => {
      tsv += triplesTsv(t);
    });
    expect(tsv.split('\n')[0]).toBe(`${made()[0]!.posScore[0]}\t${made()[0]!.negScore[0]}\t1000\t5000\t5001`);
    const again = await importFiles([...SOURCE, { file: textFile('made.tsv', tsv) }], { id: 'again' }, () => undefined, { cancelled: false });
    expect(again.counts).toEqual(made1.counts);
    expect(await allTriples('again')).toEqual(rows);
  });

  it('removes a copy it could not finish and leaves nothing half-made', async () => {
    const before = (await listDatasets()).length;
    async function* failing(): AsyncGenerator<TripleColumns> {
      yield made()[0]!;
      throw new Error('the job failed');
    }
    await expect(deriveWithTriples('plain', { id: 'broken', name: 'broken' }, failing(), provenance)).rejects.toThrow('the job failed');
    expect(await getDataset('broken')).toBeUndefined();
    expect((await listDatasets()).length).toBe(before);
    // Nothing to train on: no dataset (a job whose rule dropped every triple says why, in the worker).
    await expect(deriveWithTriples('plain', { id: 'empty', name: 'empty' }, stream([]), provenance)).rejects.toThrow('no teacher triple was made, so no dataset was written');
    expect(await getDataset('empty')).toBeUndefined();
    await expect(deriveWithTriples('nope', { id: 'x', name: 'x' }, stream([]), provenance)).rejects.toThrow('dataset nope does not exist');
  });
});
