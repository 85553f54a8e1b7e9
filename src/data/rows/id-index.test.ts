import { describe, expect, it } from 'vitest';
import { rowIndex } from '../store/columns';
import { IdIndex } from './id-index';
import { Rng } from '../../util/random';

describe('IdIndex', () => {
  it('finds rows of ascending ids (the id column itself is the index)', () => {
    const index = IdIndex.build(Int32Array.of(0, 1, 5, 9, 12), 'passages');
    expect([0, 1, 5, 9, 12].map((id) => index.rowOf(id))).toEqual([0, 1, 2, 3, 4]);
    expect([-3, 2, 13].map((id) => index.rowOf(id))).toEqual([-1, -1, -1]);
  });

  it('agrees with a Map filled in row order on shuffled ids with repeats (the last row wins)', () => {
    const rng = new Rng(5);
    const ids = Int32Array.from({ length: 3000 }, () => rng.int(2000) - 1000);
    const map = rowIndex(ids);
    const index = IdIndex.build(ids, 'queries');
    expect(index.size).toBe(map.size);
    for (let id = -1100; id <= 1100; id++) expect(index.rowOf(id)).toBe(map.get(id) ?? -1);
  });

  it('names the table when an id is not there', () => {
    const index = IdIndex.build(Int32Array.of(4, 2), 'passages');
    expect(index.requireRow(2)).toBe(1);
    expect(() => index.requireRow(3)).toThrow('passages: no row has id 3');
  });
});
