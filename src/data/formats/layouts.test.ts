import { describe, expect, it } from 'vitest';
import { detectLayout } from './layouts';
import { fixtureBytes } from '../../testing/fixtures';

function firstLines(relative: string): string[] {
  return fixtureBytes(relative).toString('utf8').split('\n').slice(0, 20);
}

describe('detectLayout', () => {
  const cases: [string, string][] = [
    ['msmarco-sample/teacher-ids.tsv', 'teacher-ids'],
    ['msmarco-sample/teacher-text.tsv', 'teacher-text'],
    ['msmarco-sample/msmarco.jsonl', 'teacher-jsonl'],
    ['msmarco-sample/collection.tsv', 'collection'],
    ['msmarco-sample/queries.tsv', 'queries'],
    ['msmarco-sample/qrels.tsv', 'qrels'],
    ['nq-sample/teacher-ids.tsv', 'teacher-ids'],
    ['nq-sample/teacher-text.tsv', 'teacher-text'],
    ['nq-sample/nq.jsonl', 'teacher-jsonl'],
    ['nq-sample/collection.tsv', 'collection'],
    ['nq-sample/queries.tsv', 'queries'],
    ['nq-sample/qrels.tsv', 'qrels'],
  ];
  it.each(cases)('recognises %s as %s', (file, layout) => {
    expect(detectLayout(firstLines(file), file)).toEqual({ layout });
  });

  it('tells queries from passages by length when the name says nothing', () => {
    expect(detectLayout(firstLines('msmarco-sample/queries.tsv'), 'a.tsv')).toEqual({ layout: 'queries' });
    expect(detectLayout(firstLines('msmarco-sample/collection.tsv'), 'b.tsv')).toEqual({ layout: 'collection' });
  });

  it('recognises TREC runs and qrels with Q0', () => {
    expect(detectLayout(['1 Q0 7 1 12.5 bm25', '1 Q0 9 2 11.0 bm25'], 'x')).toEqual({ layout: 'run' });
    expect(detectLayout(['1\tQ0\t7\t1'], 'x')).toEqual({ layout: 'qrels' });
  });

  it('recognises JSONL from the start of a first line too long to read whole', () => {
    const start = firstLines('nq-sample/nq.jsonl')[0]!.slice(0, 5000);
    expect(() => JSON.parse(start)).toThrow();
    expect(detectLayout([start], 'x.jsonl')).toEqual({ layout: 'teacher-jsonl' });
  });

  it('says why when nothing matches', () => {
    const found = detectLayout(['hello world', 'not a dataset'], 'notes.txt');
    expect(found.layout).toBeNull();
    expect(found).toHaveProperty('reason', expect.stringContaining('hello world'));
    expect(detectLayout(['', ''], 'e.tsv')).toEqual({ layout: null, reason: 'the file is empty' });
  });
});
