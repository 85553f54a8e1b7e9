// IndexedDB in Node for isolation; the browser tests exercise Chromium's real IndexedDB.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { importFiles, retokenizeDataset } from './import.core';
import { getDataset, listDatasets } from './store/catalog';
import { readTable } from './store/dataset-db';
import { textAt, tokensAt } from './store/columns';
import { parseVocabText } from '../text/wordpiece';
import { tokenizerForVocab } from '../text/tokenizers';
import { fixtureBytes, fixtureFile } from '../testing/fixtures';

const vocab = parseVocabText(fixtureBytes('hf-tiny/bert-dot/vocab.txt').toString('utf8'));
const files = ['teacher-ids.tsv', 'collection.tsv', 'queries.tsv', 'qrels.tsv'].map((n) => ({ file: fixtureFile(`msmarco-sample/${n}`) }));

describe('tokenizing a dataset again with a model vocabulary', () => {
  it('makes a ready copy whose texts carry the new ids, every other table unchanged, the source untouched', async () => {
    const source = await importFiles(files, { id: 'src-1' }, () => undefined, { cancelled: false });
    const phases: string[] = [];
    const copy = await retokenizeDataset(source.id, vocab, { id: 'copy-1', name: 'sample (bert-dot tokens)' }, (p) => phases.push(p.phase), { cancelled: false });
    const tok = tokenizerForVocab(vocab);
    expect(copy).toMatchObject({ status: 'ready', name: 'sample (bert-dot tokens)', tokenizer: tok.id, counts: source.counts });
    expect(copy.vocab).toHaveLength(2500);
    expect(phases).toContain('tokenizing');
    const passages = (await readTable(copy.id, 'passages'))!;
    const original = (await readTable(source.id, 'passages'))!;
    expect(Array.from(passages.id)).toEqual(Array.from(original.id));
    for (const r of [0, 7, 259]) {
      expect(textAt(passages, r)).toBe(textAt(original, r));
      expect(Array.from(tokensAt(passages, r))).toEqual(Array.from(tok.tokenize(textAt(original, r))));
    }
    // The source's hashed ids differ from WordPiece ids: the copy really holds new tokens.
    expect(Array.from(tokensAt(passages, 0))).not.toEqual(Array.from(tokensAt(original, 0)));
    const queries = (await readTable(copy.id, 'queries'))!;
    expect(Array.from(tokensAt(queries, 3))).toEqual(Array.from(tok.tokenize(textAt(queries, 3))));
    for (const table of ['triples', 'qrels'] as const) expect(await readTable(copy.id, table)).toEqual(await readTable(source.id, table));
    expect(copy.teacher).toEqual(source.teacher);
    expect((await getDataset(source.id))?.tokenizer).toBe(source.tokenizer);
  });

  it('leaves nothing behind when cancelled, and refuses a dataset already tokenized that way', async () => {
    const source = await importFiles(files, { id: 'src-2' }, () => undefined, { cancelled: false });
    const before = (await listDatasets()).length;
    const signal = { cancelled: true };
    await expect(retokenizeDataset(source.id, vocab, { id: 'copy-2', name: 'x' }, () => undefined, signal)).rejects.toThrow(/cancelled/);
    expect(await listDatasets()).toHaveLength(before);
    const copy = await retokenizeDataset(source.id, vocab, { id: 'copy-3', name: 'y' }, () => undefined, { cancelled: false });
    await expect(retokenizeDataset(copy.id, vocab, { id: 'copy-4', name: 'z' }, () => undefined, { cancelled: false })).rejects.toThrow('is already tokenized with this vocabulary');
  });
});
