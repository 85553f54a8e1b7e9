// IndexedDB in Node for isolation; the browser tests exercise Chromium's real IndexedDB.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DEMO_RUN, importDemo } from '../import.core';
import { generateDemo } from '../demo/generator';
import { parseHashingTokenizerId, tokenize } from '../../text/hashing';
import { getDataset, listDatasets } from './catalog';
import { DatasetWriter, readTable, recoverUnfinishedDatasets } from './dataset-db';
import { textAt, tokensAt } from './columns';

const small = { passages: 120, trainQueries: 12, devQueries: 3, negativesPerQuery: 2, candidatesPerDevQuery: 10 };

describe('dataset storage', () => {
  it('stores the demo through the writer and reads every table back, row for row', async () => {
    const phases: string[] = [];
    const options = { ...small, seed: 3 };
    const info = await importDemo(options, (p) => phases.push(p.phase), { cancelled: false });
    // The same generator, run again, is the reference for what must have been stored.
    const demo = generateDemo(options);
    const spec = parseHashingTokenizerId(info.tokenizer);
    if (!spec) throw new Error(`the demo was tokenized with ${info.tokenizer}, not a hashing tokenizer`);
    const tok = (text: string) => tokenize(text, spec);
    expect(info.status).toBe('ready');
    expect(info.counts).toEqual({ passages: 120, queries: 15, triples: 24, qrels: demo.qrels.length, candidates: 30 });
    expect(phases).toContain('storing');

    const passages = (await readTable(info.id, 'passages'))!;
    expect(Array.from(passages.id)).toEqual(demo.passages.map((p) => p.id));
    demo.passages.forEach((p, r) => {
      expect(textAt(passages, r)).toBe(p.text);
      expect(Array.from(tokensAt(passages, r))).toEqual(Array.from(tok(p.text)));
    });
    const queries = (await readTable(info.id, 'queries'))!;
    expect(Array.from(queries.id)).toEqual(demo.queries.map((q) => q.id));
    demo.queries.forEach((q, r) => expect(textAt(queries, r)).toBe(q.text));

    const triples = (await readTable(info.id, 'triples'))!;
    expect(triples.posScore).toBeInstanceOf(Float32Array);
    expect(Array.from(triples.qid)).toEqual(demo.triples.map((t) => t.qid));
    expect(Array.from(triples.pos)).toEqual(demo.triples.map((t) => t.pos));
    expect(Array.from(triples.neg)).toEqual(demo.triples.map((t) => t.neg));
    expect(Array.from(triples.posScore)).toEqual(demo.triples.map((t) => Math.fround(t.posScore)));
    expect(Array.from(triples.negScore)).toEqual(demo.triples.map((t) => Math.fround(t.negScore)));

    const qrels = (await readTable(info.id, 'qrels'))!;
    expect(demo.qrels.length).toBeGreaterThan(0);
    expect(Array.from(qrels.qid)).toEqual(demo.qrels.map((r) => r.qid));
    expect(Array.from(qrels.pid)).toEqual(demo.qrels.map((r) => r.pid));
    expect(Array.from(qrels.grade)).toEqual(demo.qrels.map((r) => r.grade));

    const candidates = (await readTable(info.id, 'candidates'))!;
    expect(Array.from(candidates.qid)).toEqual(demo.candidates.map((c) => c.qid));
    expect(Array.from(candidates.pid)).toEqual(demo.candidates.map((c) => c.pid));
    expect(Array.from(candidates.rank)).toEqual(demo.candidates.map((c) => c.rank));
    expect(Array.from(candidates.score)).toEqual(demo.candidates.map((c) => c.score));
    expect(Array.from(candidates.run)).toEqual(demo.candidates.map(() => 0));
    expect(info.runs).toEqual([DEMO_RUN]);
    expect(info.teacher?.margin.count).toBe(24);
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
