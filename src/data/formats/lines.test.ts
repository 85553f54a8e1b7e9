import { describe, expect, it } from 'vitest';
import { LineSplitter } from './lines';

const decoder = new TextDecoder('utf-8', { fatal: true });

function split(chunks: Uint8Array[]): string[] {
  const out: string[] = [];
  const s = new LineSplitter((buf, a, b) => out.push(decoder.decode(buf.subarray(a, b))));
  for (const c of chunks) s.push(c);
  s.finish();
  return out;
}

// Two- to four-byte characters, CRLF and LF ends, an empty line and no final line end.
const TEXT = '\uFEFFqid\tcafé au lait\r\n2\t日本語のテキスト\n\n3\temoji 🎉 here\r\n4\tlast line without end';
const EXPECTED = ['qid\tcafé au lait', '2\t日本語のテキスト', '', '3\temoji 🎉 here', '4\tlast line without end'];

describe('LineSplitter', () => {
  it('strips the BOM and CRs and keeps the last unterminated line', () => {
    expect(split([new TextEncoder().encode(TEXT)])).toEqual(EXPECTED);
  });

  it('gives the same lines wherever the byte stream is cut (inside characters, inside CRLF, inside the BOM)', () => {
    const bytes = new TextEncoder().encode(TEXT);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(split([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at byte ${cut}`).toEqual(EXPECTED);
    }
    for (const size of [1, 2, 3, 5]) {
      const parts: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
      expect(split(parts), `pieces of ${size}`).toEqual(EXPECTED);
    }
  });

  it('numbers lines from 1 and counts blank ones', () => {
    const numbers: number[] = [];
    const s = new LineSplitter(() => numbers.push(s.lines));
    s.push(new TextEncoder().encode('a\n\nb\nc'));
    s.finish();
    expect(numbers).toEqual([1, 2, 3, 4]);
  });

  it('handles files shorter than a BOM and a lone BOM', () => {
    expect(split([new TextEncoder().encode('x')])).toEqual(['x']);
    expect(split([new TextEncoder().encode('7\n')])).toEqual(['7']);
    expect(split([new TextEncoder().encode('\r\n')])).toEqual(['']);
    expect(split([new Uint8Array([0xef, 0xbb, 0xbf])])).toEqual([]);
    expect(split([])).toEqual([]);
  });
});
