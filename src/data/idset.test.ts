import { describe, expect, it } from 'vitest';
import { hashBytes, IdSet } from './idset';

const hash = (s: string) => {
  const b = new TextEncoder().encode(s);
  return hashBytes(b, 0, b.length);
};

describe('IdSet', () => {
  it('holds ids across pages and reports repeats', () => {
    const set = new IdSet();
    for (const id of [0, 1, 65535, 65536, 8_841_822, 2147483647]) expect(set.add(id)).toBe(true);
    expect(set.add(65536)).toBe(false);
    expect(set.size).toBe(6);
    expect([0, 65535, 65536, 8_841_822, 2147483647].every((id) => set.has(id))).toBe(true);
    expect([2, 65537, 8_841_821, 2147483646].some((id) => set.has(id))).toBe(false);
  });
});

describe('hashBytes', () => {
  it('folds runs of white space and ignores it at the ends', () => {
    expect(hash('a passage\twith  tabs\nand lines ')).toBe(hash('a passage with tabs and lines'));
    expect(hash('  leading')).toBe(hash('leading'));
  });
  it('tells different texts apart', () => {
    const texts = ['a passage', 'a passagf', 'apassage', 'A passage', 'passage a', 'café', 'cafe', '', ' '.repeat(3) + 'x'];
    expect(new Set(texts.map(hash)).size).toBe(texts.length);
  });
});
