import { describe, expect, it } from 'vitest';
import { padTokens, textColumns } from '../store/columns';
import { MemoryFile } from './files';
import { ROW_TOKEN_LIMIT, rowShapeFor, TokenRows, TokenRowWriter } from './token-rows';

/** Rows whose tokens are given directly (the texts do not matter here). */
function columns(rows: { id: number; tokens: number[] }[]) {
  const byText = new Map(rows.map((r) => [`row ${r.id}`, Int32Array.from(r.tokens)]));
  return textColumns(rows.map((r) => ({ id: r.id, text: `row ${r.id}` })), (t) => byText.get(t) as Int32Array);
}

function written(chunks: ReturnType<typeof columns>[], shape: ReturnType<typeof rowShapeFor>): TokenRows {
  const file = new MemoryFile();
  const writer = new TokenRowWriter(file, shape, 'test.rows');
  for (const c of chunks) writer.append(c);
  writer.finish();
  return TokenRows.open(file, 'test.rows');
}

describe('token rows', () => {
  const a = columns([
    { id: 7, tokens: [5, 6, 7] },
    { id: 3, tokens: [9] },
  ]);
  const b = columns([
    { id: 11, tokens: [1, 2, 3, 4, 5] },
    { id: 2, tokens: [] },
  ]);

  it('picks the narrowest width and token size that hold the rows', () => {
    expect(rowShapeFor(10, 5, 0, 30521)).toEqual({ rows: 10, width: 5, bytesPerToken: 2 });
    expect(rowShapeFor(10, 5, 0, 65535)).toEqual({ rows: 10, width: 5, bytesPerToken: 2 });
    expect(rowShapeFor(10, 5, 0, 65536)).toEqual({ rows: 10, width: 5, bytesPerToken: 4 });
    expect(rowShapeFor(10, 5, -1, 10)).toEqual({ rows: 10, width: 5, bytesPerToken: 4 });
    expect(rowShapeFor(10, 4000, 0, 10).width).toBe(ROW_TOKEN_LIMIT);
    expect(rowShapeFor(0, 0, 0, 0).width).toBe(1);
  });

  for (const bytesPerToken of [2, 4] as const) {
    it(`reads back what was written, chunk after chunk, with ${bytesPerToken * 8}-bit tokens`, () => {
      const rows = written([a, b], { rows: 4, width: 5, bytesPerToken });
      expect(rows.shape).toEqual({ rows: 4, width: 5, bytesPerToken });
      expect(Array.from(rows.ids())).toEqual([7, 3, 11, 2]);
      // Rows 2, 0, 3 at length 4: [1 2 3 4] (cut), [5 6 7 0], [0 0 0 0] (empty).
      expect(Array.from(rows.gather([2, 0, 3], 4))).toEqual([1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0]);
      // Longer than the width: zero-padded past it.
      expect(Array.from(rows.gather([1], 7))).toEqual([9, 0, 0, 0, 0, 0, 0]);
    });
  }

  it('keeps token ids above 65,535 exactly in 32-bit files', () => {
    const big = columns([{ id: 1, tokens: [70000, 65536, 3] }]);
    const rows = written([big], { rows: 1, width: 3, bytesPerToken: 4 });
    expect(Array.from(rows.gather([0], 3))).toEqual([70000, 65536, 3]);
  });

  it('refuses a token id that does not fit 16 bits, naming the file and row', () => {
    const big = columns([{ id: 1, tokens: [3] }, { id: 2, tokens: [70000] }]);
    const writer = new TokenRowWriter(new MemoryFile(), { rows: 2, width: 3, bytesPerToken: 2 }, 'passages.rows');
    expect(() => writer.append(big)).toThrow('passages.rows: token id 70000 of row 1 does not fit the file\'s 16-bit tokens');
  });

  it('gives what padTokens gives from the whole table, for every row and several lengths', () => {
    const table = columns(Array.from({ length: 40 }, (_, i) => ({ id: 100 + i, tokens: Array.from({ length: (i * 7) % 13 }, (_, k) => 1 + ((i * 31 + k * 17) % 900)) })));
    const rows = written([table], rowShapeFor(40, 12, 1, 900));
    const all = Array.from({ length: 40 }, (_, i) => (i * 11) % 40);
    for (const length of [1, 5, 12, 20]) expect(Array.from(rows.gather(all, length))).toEqual(Array.from(padTokens(table, all, length)));
  });

  it('says which row does not exist and which file is damaged', () => {
    const rows = written([a], { rows: 2, width: 3, bytesPerToken: 2 });
    expect(() => rows.gather([2], 3)).toThrow('test.rows: row 2 does not exist (the file has 2 rows)');
    expect(() => rows.gather([-1], 3)).toThrow('test.rows: row -1 does not exist');
    const short = new MemoryFile();
    const writer = new TokenRowWriter(short, { rows: 3, width: 3, bytesPerToken: 2 }, 'queries.rows');
    writer.append(a);
    expect(() => writer.finish()).toThrow('queries.rows: 2 rows written, 3 expected');
    expect(() => TokenRows.open(short, 'queries.rows')).toThrow(/queries.rows holds \d+ bytes; 3 rows of 3 tokens need \d+; the file was cut short/);
    const junk = new MemoryFile();
    junk.write(new Uint8Array(64).fill(1), 0);
    expect(() => TokenRows.open(junk, 'junk.rows')).toThrow('junk.rows is not a token-row file (wrong magic number)');
  });
});
