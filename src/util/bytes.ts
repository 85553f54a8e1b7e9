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

const MIB = 1024 * 1024;

/** Device memory as a person reads it: MiB under a GiB, GiB above, one decimal ('no limit' for Infinity). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'no limit';
  return bytes >= 1024 * MIB ? `${(bytes / (1024 * MIB)).toFixed(1)} GiB` : `${(bytes / MIB).toFixed(1)} MiB`;
}
