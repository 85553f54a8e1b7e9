// IndexedDB in Node for isolation; the browser tests exercise Chromium's real IndexedDB and File streams.
import 'fake-indexeddb/auto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { TEXT_CHUNK_ROWS } from './builder';
import { importFiles, ImportCancelled, ImportError, storageWarning, type FileSpec } from './import.core';
import { listDatasets } from './store/catalog';
import { DatasetWriter, forEachChunk, readTable, recoverUnfinishedDatasets } from './store/dataset-db';
import { getDataset, putDataset } from './store/catalog';
import { textAt, tokensAt } from './store/columns';
import { bertBaseUncasedVocab, WordPieceTokenizer } from '../text/wordpiece';
import { hashWord, tokenize } from '../text/hashing';
import { fixtureBytes, fixtureFile, textFile } from '../testing/fixtures';

let nextId = 0;
function run(files: FileSpec[], threshold?: number) {
  return importFiles(files, { id: `test-${nextId++}`, ...(threshold === undefined ? {} : { threshold }) }, () => undefined, { cancelled: false });
}
const spec = (...names: string[]): FileSpec[] => names.map((n) => ({ file: fixtureFile(n) }));

function firstLine(relative: string): string[] {
  return (fixtureBytes(relative).toString('utf8').split('\n')[0] as string).split('\t');
}

describe('importing the MS MARCO sample in every layout', () => {
  const layouts: [string, string[]][] = [
    ['id-based + collection + queries + qrels', ['teacher-ids.tsv', 'collection.tsv', 'queries.tsv', 'qrels.tsv']],
    ['gzip id-based + collection + queries', ['teacher-ids.tsv.gz', 'collection.tsv', 'queries.tsv']],
    ['text-based', ['teacher-text.tsv']],
    ['FlagEmbedding JSONL', ['msmarco.jsonl']],
  ];
  it.each(layouts)('%s gives 260 passages, 10 queries, 250 triples', async (_label, names) => {
    const info = await run(spec(...names.map((n) => `msmarco-sample/${n}`)));
    expect(info.status).toBe('ready');
    expect(info.counts).toMatchObject({ passages: 260, queries: 10, triples: 250 });
    expect(info.files?.every((f) => f.rejected === 0 && f.missing === 0)).toBe(true);
    // The first triple is the first line of the id-based file, whatever layout carried it.
    const [pos, neg] = firstLine('msmarco-sample/teacher-ids.tsv');
    const triples = await readTable(info.id, 'triples');
    expect(triples!.posScore[0]).toBeCloseTo(Number(pos), 4);
    expect(triples!.negScore[0]).toBeCloseTo(Number(neg), 4);
    const passages = await readTable(info.id, 'passages');
    const posRow = [...passages!.id].indexOf(triples!.pos[0] as number);
    expect(textAt(passages!, posRow)).toBe(firstLine('msmarco-sample/collection.tsv')[1]);
    expect(info.teacher?.pos.min).toBeGreaterThan(80);
    expect(info.teacher?.pos.max).toBeLessThan(101);
  });

  it('reads the qrels and keeps ids as written', async () => {
    const info = await run(spec('msmarco-sample/collection.tsv', 'msmarco-sample/queries.tsv', 'msmarco-sample/qrels.tsv'));
    expect(info.counts).toMatchObject({ passages: 260, queries: 10, qrels: 10, triples: 0 });
    const qrels = await readTable(info.id, 'qrels');
    expect([qrels!.qid[0], qrels!.pid[0], qrels!.grade[0]]).toEqual([1000, 5000, 1]);
    const queries = await readTable(info.id, 'queries');
    expect(queries!.id[0]).toBe(1000);
    expect(textAt(queries!, 0)).toBe(firstLine('msmarco-sample/queries.tsv')[1]);
  });
});

describe('importing the NQ sample', () => {
  it.each([
    [['teacher-ids.tsv.gz', 'collection.tsv', 'queries.tsv', 'qrels.tsv']],
    [['teacher-text.tsv']],
    [['nq.jsonl']],
  ])('%j gives 986 passages, 10 queries, 979 triples', async (names) => {
    const info = await run(spec(...names.map((n) => `nq-sample/${n}`)));
    expect(info.counts).toMatchObject({ passages: 986, queries: 10, triples: 979 });
  });
});

describe('gzip', () => {
  const text = '1\tcafé crème brûlée\r\n2\t日本語のテキスト 🎉\r\n3\tplain ascii passage text here\r\n';
  const gz = gzipSync(Buffer.from('\uFEFF' + text.repeat(40).replace(/^(\d+)/gm, (_m, _d, off: number) => String(off))));

  it.each([1, 2, 3, 7, 13, 64])('reads gzip input fed in %i-byte reads (cuts inside characters and CRLF)', async (size) => {
    const info = await importFiles([{ file: textFile('c.tsv.gz', new Uint8Array(gz)), layout: 'collection' }], { id: `gz-${nextId++}`, readBytes: size }, () => undefined, { cancelled: false });
    expect(info.counts.passages).toBe(120);
    const passages = await readTable(info.id, 'passages');
    expect(textAt(passages!, 0)).toBe('café crème brûlée');
    expect(textAt(passages!, 1)).toBe('日本語のテキスト 🎉');
  });

  it('refuses a truncated .gz and stores nothing', async () => {
    const whole = gzipSync(fixtureBytes('nq-sample/collection.tsv'));
    const before = (await listDatasets()).length;
    const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
    await expect(run([{ file: textFile('collection.tsv.gz', cut), layout: 'collection' }])).rejects.toThrow(/collection\.tsv\.gz: the gzip data is truncated or corrupt after line \d+/);
    expect((await listDatasets()).length).toBe(before);
  });

  it('refuses corrupt gzip data', async () => {
    const whole = Buffer.from(gzipSync(fixtureBytes('msmarco-sample/collection.tsv')));
    for (let i = 200; i < 260; i++) whole[i] = (whole[i] as number) ^ 0x5a;
    await expect(run([{ file: textFile('collection.tsv.gz', whole), layout: 'collection' }])).rejects.toThrow(/collection\.tsv\.gz: the gzip data is truncated or corrupt/);
  });
});

describe('malformed input', () => {
  const GOOD = '1.5\t0.5\t1\t10\t11';
  // Each case: layout, one bad line, the reason counted and a piece of the detail shown.
  const cases: [string, string, string, RegExp][] = [
    ['teacher-ids', '1.5\t0.5\t1\t10', 'wrong number of columns', /expected 5 tab-separated columns, found 4/],
    ['teacher-ids', 'high\t0.5\t1\t10\t11', 'non-numeric value', /positive score "high" is not a number/],
    ['teacher-ids', 'NaN\t0.5\t1\t10\t11', 'NaN or infinite score', /positive score is NaN/],
    ['teacher-ids', '1.5\tinf\t1\t10\t11', 'NaN or infinite score', /negative score is infinite/],
    ['teacher-ids', '1.5\t0.5\tq1\t10\t11', 'non-numeric value', /query id "q1" is not a whole number/],
    ['teacher-ids', '1.5\t0.5\t1\t10\t-11', 'id out of range', /negative passage id -11 is outside/],
    ['teacher-ids', '1.5\t0.5\t1\t10\t99999999999', 'id out of range', /outside 0 to 2147483647/],
    ['teacher-text', '1\t0\tquery\t\tneg text', 'empty text', /positive passage is empty/],
    ['teacher-text', '1\t0\tquery\tpos \xff text\tneg text', 'invalid UTF-8', /positive passage is not valid UTF-8/],
    ['collection', '10 no tab here', 'wrong number of columns', /found no tab/],
    ['collection', '10\t   ', 'empty text', /passage text is empty/],
    ['collection', '10\tsecond copy', 'duplicate id', /passage id 10 appears earlier/],
    ['teacher-jsonl', '{"query": "q", "pos": ["a"], "neg": ["b"]}', 'missing or malformed field', /needs teacher scores/],
    ['teacher-jsonl', '{"query": "q", "pos": ["a"], "neg": ["b"], "pos_scores": [1, 2], "neg_scores": [0]}', 'missing or malformed field', /1 positives with 2 scores/],
    ['teacher-jsonl', '{"query": "q", "pos": ["a"]', 'invalid JSON', /not a JSON object/],
    ['qrels', '1 0 10', 'wrong number of columns', /expected 4 whitespace-separated columns, found 3/],
    ['qrels', '1 0 10 high', 'non-numeric value', /relevance grade "high"/],
    ['run', '1 Q0 10 1 bad bm25', 'non-numeric value', /score "bad" is not a number/],
  ];
  const good: Record<string, string> = {
    'teacher-ids': GOOD,
    'teacher-text': '1\t0\tquery\tpos text\tneg text',
    collection: '10\tfirst passage',
    'teacher-jsonl': '{"query": "q", "pos": ["a"], "neg": ["b"], "pos_scores": [2], "neg_scores": [1]}',
    qrels: '1 0 10 1',
    run: '1 Q0 10 1 3.5 bm25',
  };

  it.each(cases)('%s: %j is rejected as "%s"', async (layout, bad, reason, detail) => {
    const content = Buffer.concat([Buffer.from(`${good[layout]}\n`), Buffer.from(bad, 'latin1'), Buffer.from('\n')]);
    // Above the threshold (1 of 2 lines) the whole selection is refused, naming file, line and reason.
    await expect(run([{ file: textFile('bad.tsv', content), layout: layout as FileSpec['layout'] }])).rejects.toThrow(
      new RegExp(`bad\\.tsv: 1 of 2 lines \\(50\\.0%\\) were rejected.*bad\\.tsv line 2: .*${detail.source}`),
    );
    // With a lenient threshold the good line is kept and the bad one counted with its line number.
    const info = await run([{ file: textFile('bad.tsv', content), layout: layout as FileSpec['layout'] }], 0.6);
    const report = info.files?.[0];
    expect(report?.rejectedByReason).toEqual({ [reason]: 1 });
    expect(report?.examples[0]?.line).toBe(2);
    expect(report?.examples[0]?.reason).toMatch(detail);
  });

  it('accepts a few bad lines under the threshold and keeps the rest', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `${i}\tpassage number ${i}`);
    lines[150] = '150 broken';
    const info = await run([{ file: textFile('collection.tsv', lines.join('\n')), layout: 'collection' }]);
    expect(info.counts.passages).toBe(199);
    expect(info.files?.[0]).toMatchObject({ lines: 200, rows: 199, rejected: 1, examples: [{ line: 151, reason: expect.stringContaining('no tab') }] });
  });

  it('counts triples naming passages outside the collection without dropping them', async () => {
    const info = await run(spec('msmarco-sample/teacher-ids.tsv', 'msmarco-sample/queries.tsv'));
    expect(info.counts.triples).toBe(250);
    expect(info.files?.find((f) => f.layout === 'teacher-ids')).toMatchObject({ missing: 250, missingExamples: expect.arrayContaining([{ line: 1, reason: 'passage 5000 is not in the collection' }]) });
  });

  it('refuses a selection when one file is unrecognisable, before writing anything', async () => {
    const before = (await listDatasets()).length;
    await expect(run([{ file: fixtureFile('msmarco-sample/collection.tsv') }, { file: textFile('notes.txt', 'hello\nworld\n') }])).rejects.toThrow(/notes\.txt: cannot tell what kind of file this is/);
    await expect(run([{ file: textFile('empty.tsv', '') }])).rejects.toThrow(ImportError);
    expect((await listDatasets()).length).toBe(before);
  });

  it('removes everything on cancel', async () => {
    const before = (await listDatasets()).length;
    const signal = { cancelled: false };
    const lines = Array.from({ length: 30000 }, (_, i) => `${i}\tpassage ${i} with a few words`).join('\n');
    const file = textFile('collection.tsv', lines);
    let calls = 0;
    const pending = importFiles([{ file, layout: 'collection' }], { id: 'cancelled-import', readBytes: 4096 }, () => {
      if (++calls === 1) signal.cancelled = true;
    }, signal);
    await expect(pending).rejects.toThrow(ImportCancelled);
    expect((await listDatasets()).length).toBe(before);
  });

  it('ends with a clear message and removes the partial data when storage is full', async () => {
    const before = await listDatasets();
    const put = IDBObjectStore.prototype.put;
    let puts = 0;
    // The browser's answer when the origin's quota is used up, on the second chunk written.
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (++puts === 2) throw new DOMException('quota exceeded', 'QuotaExceededError');
      return put.apply(this, args);
    };
    try {
      const lines = Array.from({ length: 30000 }, (_, i) => `${i}\tpassage ${i} with a few words`).join('\n');
      await expect(run([{ file: textFile('collection.tsv', lines), layout: 'collection' }])).rejects.toThrow(/storage for this page is full.*what this import had written was removed/);
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(puts).toBeGreaterThanOrEqual(2);
    expect(await listDatasets()).toEqual(before);
  });

  it('does the same when the quota error arrives as the transaction aborts, as Chromium reports it', async () => {
    const before = await listDatasets();
    const put = IDBObjectStore.prototype.put;
    let chunks = 0;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      const req = put.apply(this, args);
      if (this.name === 'chunks' && ++chunks === 2) {
        // Accepted at first, refused when the transaction tries to commit.
        const tx = this.transaction;
        req.addEventListener('success', () => {
          Object.defineProperty(tx, 'error', { value: new DOMException('quota exceeded', 'QuotaExceededError') });
          tx.abort();
        });
      }
      return req;
    };
    try {
      const lines = Array.from({ length: 30000 }, (_, i) => `${i}\tpassage ${i} with a few words`).join('\n');
      await expect(run([{ file: textFile('collection.tsv', lines), layout: 'collection' }])).rejects.toThrow(/storage for this page is full/);
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(chunks).toBeGreaterThanOrEqual(2);
    expect(await listDatasets()).toEqual(before);
  });

  it('refuses a file early when it can no longer pass, without reading it to the end', async () => {
    const lines = Array.from({ length: 40000 }, (_, i) => `${i} passage without a tab`).join('\n');
    await expect(importFiles([{ file: textFile('c.tsv', lines), layout: 'collection' }], { id: `early-${nextId++}`, readBytes: 64 * 1024 }, () => undefined, { cancelled: false })).rejects.toThrow(
      /c\.tsv: \d+ of the first \d+ lines were rejected \(100\.0%\).*c\.tsv line 1: expected passage id<TAB>text, found no tab/,
    );
  });
});

describe("a dataset's stored bytes by part", () => {
  /** Bytes of the given columns over every stored chunk of a table, read back from IndexedDB. */
  async function storedBytes(id: string, table: 'passages' | 'queries', columns: readonly ('id' | 'text' | 'textOffsets' | 'tokens' | 'tokOffsets')[]) {
    let n = 0;
    await forEachChunk(id, table, (c) => {
      for (const name of columns) n += c[name].byteLength;
    });
    return n;
  }

  it('splits the texts from their token ids and the other tables, adding up to the total', async () => {
    const info = await run(spec(...['teacher-ids.tsv', 'collection.tsv', 'queries.tsv', 'qrels.tsv'].map((n) => `msmarco-sample/${n}`)));
    const parts = info.parts!;
    const text = (await storedBytes(info.id, 'passages', ['id', 'text', 'textOffsets'])) + (await storedBytes(info.id, 'queries', ['id', 'text', 'textOffsets']));
    const tokens = (await storedBytes(info.id, 'passages', ['tokens', 'tokOffsets'])) + (await storedBytes(info.id, 'queries', ['tokens', 'tokOffsets']));
    expect(parts.text).toBe(text);
    expect(parts.tokens).toBe(tokens);
    // 250 triples of three ids and two float scores; 10 qrels of three ints.
    expect(parts).toMatchObject({ triples: 250 * 20, qrels: 10 * 12, candidates: 0 });
    expect(parts.text).toBeGreaterThan(parts.tokens);
    expect(parts.text + parts.tokens + parts.triples + parts.qrels + parts.candidates).toBe(info.bytes);
    expect((await getDataset(info.id))?.parts).toEqual(parts);
  });

  it('adds the parts of files added later, and returns to the earlier parts when an addition is refused', async () => {
    const base = await run(spec('msmarco-sample/collection.tsv', 'msmarco-sample/queries.tsv'));
    expect(base.parts).toMatchObject({ triples: 0 });
    const info = await importFiles(spec('msmarco-sample/teacher-ids.tsv'), { id: base.id, append: true }, () => undefined, { cancelled: false });
    expect(info.parts).toEqual({ ...base.parts, triples: 250 * 20 });
    const bad = textFile('more.tsv', '96.5\t90.25\t1000\t5000\t5001\n96.5\tninety\t1000\t5000\t5002\n');
    await expect(importFiles([{ file: bad }], { id: base.id, append: true }, () => undefined, { cancelled: false })).rejects.toThrow(/more\.tsv/);
    expect((await getDataset(base.id))?.parts).toEqual(info.parts);
  });

  it('keeps only the total for a dataset stored before parts were counted, files added to it included', async () => {
    const base = await run(spec('msmarco-sample/collection.tsv', 'msmarco-sample/queries.tsv'));
    const { parts: _parts, ...old } = base;
    await putDataset(old);
    const info = await importFiles(spec('msmarco-sample/teacher-ids.tsv'), { id: base.id, append: true }, () => undefined, { cancelled: false });
    expect(info).not.toHaveProperty('parts');
    expect(info.bytes).toBe(base.bytes + 250 * 20);
  });
});

describe('adding files to a dataset', () => {
  const add = (id: string, files: FileSpec[], threshold?: number) =>
    importFiles(files, { id, append: true, ...(threshold === undefined ? {} : { threshold }) }, () => undefined, { cancelled: false });

  it('checks added teacher ids against the texts already there', async () => {
    const base = await run(spec('msmarco-sample/collection.tsv', 'msmarco-sample/queries.tsv'));
    const info = await add(base.id, spec('msmarco-sample/teacher-ids.tsv'));
    expect(info.id).toBe(base.id);
    expect(info.status).toBe('ready');
    expect(info.counts).toMatchObject({ passages: 260, queries: 10, triples: 250 });
    expect(info.files?.map((f) => [f.name, f.missing])).toEqual([['collection.tsv', 0], ['queries.tsv', 0], ['teacher-ids.tsv', 0]]);
    expect(info.teacher?.pos.count).toBe(250);
  });

  it('gives a text already in the dataset its existing id, and merges the teacher statistics', async () => {
    const base = await run(spec('msmarco-sample/teacher-text.tsv'));
    const info = await add(base.id, spec('msmarco-sample/msmarco.jsonl'));
    expect(info.counts).toMatchObject({ passages: 260, queries: 10, triples: 500 });
    expect(info.teacher?.pos.count).toBe(500);
    expect(info.teacher?.pos.mean).toBeCloseTo(base.teacher!.pos.mean, 4);
    expect(info.teacher?.margin.std).toBeCloseTo(base.teacher!.margin.std, 4);
  });

  it('leaves the dataset exactly as it was when an added file is refused', async () => {
    const base = await run(spec('msmarco-sample/collection.tsv', 'msmarco-sample/queries.tsv', 'msmarco-sample/teacher-ids.tsv'));
    const bad = textFile('more.tsv', '96.5\t90.25\t1000\t5000\t5001\n96.5\tninety\t1000\t5000\t5002\n');
    await expect(add(base.id, [{ file: bad }])).rejects.toThrow(/more\.tsv: 1 of 2 lines/);
    const after = await getDataset(base.id);
    expect(after).toMatchObject({ status: 'ready', counts: base.counts, bytes: base.bytes });
    expect(after?.files).toEqual(base.files);
    expect(after).not.toHaveProperty('rollback');
    expect((await readTable(base.id, 'triples'))?.qid).toHaveLength(250);
  });

  it('keeps the dataset when the final catalog write of an addition fails', async () => {
    const base = await run(spec('msmarco-sample/collection.tsv', 'msmarco-sample/queries.tsv'));
    const put = IDBObjectStore.prototype.put;
    let failed = false;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      const value = args[0] as { status?: string; id?: string };
      if (!failed && this.name === 'datasets' && value.id === base.id && value.status === 'ready') {
        failed = true;
        throw new DOMException('quota exceeded', 'QuotaExceededError');
      }
      return put.apply(this, args);
    };
    try {
      await expect(add(base.id, spec('msmarco-sample/teacher-ids.tsv'))).rejects.toThrow(/quota exceeded/);
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(await getDataset(base.id)).toMatchObject({ status: 'ready', counts: base.counts });
    expect((await readTable(base.id, 'passages'))?.id).toHaveLength(260);
    expect(await readTable(base.id, 'triples')).toBeNull();
  });

  it('refuses a second addition to a dataset that is already being added to', async () => {
    const base = await run(spec('msmarco-sample/collection.tsv'));
    const first = await DatasetWriter.reopen(base.id, 'lock-1');
    await expect(DatasetWriter.reopen(base.id, 'lock-2')).rejects.toThrow(/busy: another import is writing to it/);
    await first.abort();
    expect(await getDataset(base.id)).toMatchObject({ status: 'ready', counts: base.counts });
  });

  it('rolls back an addition cut off by a closed tab on the next load', async () => {
    const base = await run(spec('msmarco-sample/collection.tsv', 'msmarco-sample/queries.tsv'));
    const writer = await DatasetWriter.reopen(base.id, 'a-lock-nobody-holds');
    const qid = Int32Array.of(1000);
    await writer.append([{ table: 'qrels', rows: 1, columns: { qid, pid: Int32Array.of(5000), grade: Int32Array.of(1) } }]);
    expect(await getDataset(base.id)).toMatchObject({ status: 'importing' });
    // The tab is gone: no finish(), no abort(). A later page load finds the dataset abandoned.
    expect(await recoverUnfinishedDatasets(Date.now() + 120_000)).toContain(base.id);
    expect(await getDataset(base.id)).toMatchObject({ status: 'ready', counts: base.counts });
    expect(await readTable(base.id, 'qrels')).toBeNull();
  });
});

describe('more layouts and shapes', () => {
  it('gives a text-based teacher file the ids of the collection imported with it', async () => {
    const info = await run(spec('msmarco-sample/collection.tsv', 'msmarco-sample/queries.tsv', 'msmarco-sample/teacher-text.tsv'));
    expect(info.counts).toMatchObject({ passages: 260, queries: 10, triples: 250 });
    const triples = await readTable(info.id, 'triples');
    const [, , qid, pos, neg] = firstLine('msmarco-sample/teacher-ids.tsv').map(Number);
    expect([triples!.qid[0], triples!.pos[0], triples!.neg[0]]).toEqual([qid, pos, neg]);
  });

  it('reads a collection split into shards, and a TREC run as candidates', async () => {
    const lines = fixtureBytes('msmarco-sample/collection.tsv').toString('utf8').trimEnd().split('\n');
    const run = ['1000 Q0 5000 1 23.5 bm25', '1000 Q0 5001 2 21.25 bm25', '1001\tQ0\t5026\t1\t19\tbm25'].join('\n');
    const info = await importFiles(
      [
        { file: textFile('collection-part1.tsv', lines.slice(0, 100).join('\n') + '\n') },
        { file: textFile('collection-part2.tsv', lines.slice(100).join('\n') + '\n') },
        { file: textFile('bm25.run', run) },
      ],
      { id: `shards-${nextId++}` },
      () => undefined,
      { cancelled: false },
    );
    expect(info.counts).toMatchObject({ passages: 260, candidates: 3 });
    const candidates = await readTable(info.id, 'candidates');
    expect([...candidates!.pid]).toEqual([5000, 5001, 5026]);
    expect([...candidates!.rank]).toEqual([1, 2, 1]);
    expect(candidates!.score[1]).toBe(21.25);
  });

  it('accepts a BOM and Windows line ends', async () => {
    const text = fixtureBytes('msmarco-sample/teacher-ids.tsv').toString('utf8').replace(/\n/g, '\r\n');
    const info = await run([{ file: textFile('teacher-ids.tsv', '\uFEFF' + text) }, { file: fixtureFile('msmarco-sample/collection.tsv') }, { file: fixtureFile('msmarco-sample/queries.tsv') }]);
    expect(info.counts.triples).toBe(250);
    expect(info.files?.every((f) => f.rejected === 0 && f.missing === 0)).toBe(true);
  });

  it('warns before an import the remaining quota cannot hold', () => {
    const files = [{ name: 'collection.tsv.gz', size: 1e9 }];
    expect(storageWarning(files, { quota: 10e9, usage: 1e9 })).toBeNull();
    expect(storageWarning(files, { quota: 4e9, usage: 1e9 })).toMatch(/need about 5\.20 GB once stored, but the browser offers this page only 3\.00 GB more/);
    expect(storageWarning(files, {})).toBeNull();
  });
});

describe('tokenizers at import', () => {
  const vocabText = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'what', 'is', 'the', 'capital', 'of', 'fr', '##ance', '?', '.', 'paris'].join('\n') + '\n';
  const texts = () => [textFile('collection.tsv', '1\tParis is the capital of France.\n2\tWhat is Paris?\n'), textFile('queries.tsv', '7\tWhat is the capital of France?\n')];

  it('tokenizes with bert-base-uncased WordPiece when chosen, as the tokenizer itself does', async () => {
    const info = await importFiles(spec('msmarco-sample/collection.tsv', 'msmarco-sample/queries.tsv'), { id: `wp-${nextId++}`, tokenizer: 'bert-base-uncased' }, () => undefined, { cancelled: false });
    expect(info.tokenizer).toBe('wordpiece-v1:bert-base-uncased');
    const queries = (await readTable(info.id, 'queries'))!;
    const wp = new WordPieceTokenizer(await bertBaseUncasedVocab());
    for (let r = 0; r < queries.id.length; r++) expect(Array.from(tokensAt(queries, r))).toEqual(Array.from(wp.tokenize(textAt(queries, r))));
  });

  it('uses a vocab.txt chosen with the texts, keeps it with the dataset, and tokenizes added files with it', async () => {
    const id = `vocab-${nextId++}`;
    const info = await importFiles([{ file: textFile('vocab.txt', vocabText) }, ...texts().map((file) => ({ file }))], { id }, () => undefined, { cancelled: false });
    expect(info.tokenizer).toMatch(/^wordpiece-v1:file-[0-9a-f]{8}:14$/);
    expect(info.vocab).toHaveLength(14);
    expect(info.counts).toMatchObject({ passages: 2, queries: 1 });
    const queries = (await readTable(id, 'queries'))!;
    // what is the capital of fr ##ance ?
    expect(Array.from(tokensAt(queries, 0))).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    await importFiles([{ file: textFile('more-queries.tsv', '8\tParis, France\n') }], { id, append: true }, () => undefined, { cancelled: false });
    const after = (await readTable(id, 'queries'))!;
    // paris [UNK]=',' is not in this vocabulary; fr ##ance
    expect(Array.from(tokensAt(after, 1))).toEqual([13, 1, 9, 10]);
    await expect(importFiles([{ file: textFile('vocab.txt', vocabText) }, { file: textFile('q.tsv', '9\tx\n') }], { id, append: true }, () => undefined, { cancelled: false })).rejects.toThrow(
      'vocab.txt: files added to a dataset are tokenized as its texts were; a new vocabulary needs a new dataset',
    );
  });

  it('refuses a broken vocabulary with file and line, and stores nothing', async () => {
    const before = (await listDatasets()).length;
    const broken = vocabText.replace('paris', 'what');
    await expect(importFiles([{ file: textFile('vocab.txt', broken) }, ...texts().map((file) => ({ file }))], { id: `badvocab-${nextId++}` }, () => undefined, { cancelled: false })).rejects.toThrow(
      'vocab.txt line 14: "what" already appears on line 5',
    );
    await expect(importFiles([{ file: textFile('vocab.txt', vocabText) }], { id: `onlyvocab-${nextId++}` }, () => undefined, { cancelled: false })).rejects.toThrow(/is a vocabulary; choose it together with the texts/);
    expect((await listDatasets()).length).toBe(before);
  });

  it('stores the same texts and token ids whether a passage is read as ASCII bytes or decoded, across chunk ends', async () => {
    // The NQ sample mixes ASCII passages (tokenized from their bytes) with accented ones (decoded first); repeated so
    // that the table spans several chunks.
    const lines = fixtureBytes('nq-sample/collection.tsv').toString('utf8').trimEnd().split('\n');
    const rows = TEXT_CHUNK_ROWS + 800;
    const texts = Array.from({ length: rows }, (_, i) => (lines[i % lines.length] as string).split('\t')[1] as string);
    const file = textFile('collection.tsv', texts.map((t, i) => `${i}\t${t}\n`).join(''));
    const info = await importFiles([{ file }], { id: `bytes-${nextId++}` }, () => undefined, { cancelled: false });
    const passages = (await readTable(info.id, 'passages'))!;
    expect(passages.id.length).toBe(rows);
    expect(texts.some((t) => /[^\x00-\x7f]/.test(t))).toBe(true);
    const spec = { kind: 'hash-words' as const, buckets: 8192 };
    for (let r = 0; r < passages.id.length; r++) {
      expect(textAt(passages, r)).toBe(texts[r]);
      expect(Array.from(tokensAt(passages, r))).toEqual(Array.from(tokenize(texts[r] as string, spec)));
    }
    let chunks = 0;
    await forEachChunk(info.id, 'passages', () => void chunks++);
    expect(chunks).toBeGreaterThan(1);
  });

  it('hash-grams splits unspaced scripts into character trigrams and stays equal to hash-words on English', async () => {
    const info = await importFiles([{ file: textFile('queries.tsv', '1\t北京大学 in Beijing\n2\tplain english words\n') }], { id: `grams-${nextId++}`, tokenizer: 'hash-grams' }, () => undefined, { cancelled: false });
    expect(info.tokenizer).toBe('hash-grams-v1:8192');
    const q = (await readTable(info.id, 'queries'))!;
    const spec = { kind: 'hash-grams' as const, buckets: 8192 };
    expect(Array.from(tokensAt(q, 0))).toEqual(['北京大', '京大学', 'in', 'beijing'].map((w) => hashWord(w, 8192)));
    expect(Array.from(tokensAt(q, 1))).toEqual(Array.from(tokenize('plain english words', { ...spec, kind: 'hash-words' })));
  });
});
