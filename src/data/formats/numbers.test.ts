import { describe, expect, it } from 'vitest';
import { parseFloatField, parseIntField, saysNaN } from './numbers';

const enc = (s: string) => new TextEncoder().encode(s);
const float = (s: string) => parseFloatField(enc(s), 0, enc(s).length);
const int = (s: string) => parseIntField(enc(s), 0, enc(s).length);

describe('numbers from bytes', () => {
  it('parses decimals exactly as JavaScript does', () => {
    for (const s of ['96.6875', '0', '-3.25', '+7', '12.', '.5', '0.1', '123456789012345', '1e3', '-2.5E-4', '83.00000000000001', '65535.999', '0.000001']) {
      expect(float(s), s).toBe(Number(s));
    }
  });

  it('gives NaN for non-numbers and names NaN and infinity apart', () => {
    for (const s of ['', '-', '.', 'abc', '1.2.3', '12a', '0x10', ' 1', '1 ', '1e', '--1']) expect(float(s), s).toBeNaN();
    expect(float('nan')).toBeNaN();
    expect(saysNaN(enc('NaN'), 0, 3)).toBe(true);
    expect(saysNaN(enc('abc'), 0, 3)).toBe(false);
    expect(float('inf')).toBe(Infinity);
    expect(float('-Infinity')).toBe(-Infinity);
    expect(float('1e400')).toBe(Infinity);
  });

  it('parses whole numbers and refuses anything else', () => {
    expect(int('5000')).toBe(5000);
    expect(int('-12')).toBe(-12);
    expect(int('2147483647')).toBe(2147483647);
    for (const s of ['', '-', '1.5', '1e3', 'x1', '1234567890123456']) expect(int(s), s).toBeNaN();
  });
});
