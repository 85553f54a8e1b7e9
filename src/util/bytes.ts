/**
 * Typed arrays at the edges of the page: a Blob wants bytes over a plain ArrayBuffer, and a transfer list wants
 * the ArrayBuffers themselves. Arrays over a SharedArrayBuffer are copied (Blob) or left out (transfer).
 */
export function blobPart(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const { buffer } = bytes;
  return buffer instanceof ArrayBuffer ? new Uint8Array(buffer, bytes.byteOffset, bytes.byteLength) : bytes.slice();
}

/** The distinct ArrayBuffers under these arrays, for a postMessage transfer list. */
export function transferList(arrays: readonly ArrayBufferView[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  return [...out];
}
