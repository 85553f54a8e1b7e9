import { describe, expect, it } from 'vitest';
import { blobPart, transferList } from './bytes';

describe('bytes at the page edges', () => {
  it('views the same bytes of a plain buffer without copying', () => {
    const buffer = new ArrayBuffer(8);
    const view = new Uint8Array(buffer, 2, 4);
    view.set([1, 2, 3, 4]);
    const part = blobPart(view);
    expect(part.buffer).toBe(buffer);
    expect(Array.from(part)).toEqual([1, 2, 3, 4]);
  });

  it('copies bytes over a shared buffer', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(3));
    shared.set([7, 8, 9]);
    const part = blobPart(shared);
    expect(part.buffer).toBeInstanceOf(ArrayBuffer);
    expect(Array.from(part)).toEqual([7, 8, 9]);
  });

  it('lists each plain buffer once and leaves shared ones out', () => {
    const a = new Float32Array(4);
    const b = new Int32Array(a.buffer, 0, 2);
    const c = new Float32Array(new SharedArrayBuffer(8));
    expect(transferList([a, b, c])).toEqual([a.buffer]);
  });
});
