/**
 * Matrix arithmetic of one training step of the students that encode each text alone (dot; colbert adds its small
 * projection, not counted), for GFLOP/s figures. Per sequence of length L, per layer: the qkv, output and two
 * feed-forward products, 2·L·(3d² + d² + 2·d·f) = L·(8d² + 4df), and attention's two products, 4·L²·d. A step
 * encodes `batch` queries and 2·`batch` passages; backward costs twice the forward, so a step is 3 forwards.
 */
import type { RunConfig } from '../config/run-config';

export function encoderFlops(length: number, c: Pick<RunConfig, 'hidden' | 'ffn' | 'layers'>): number {
  const d = c.hidden;
  return c.layers * (length * (8 * d * d + 4 * d * c.ffn) + 4 * length * length * d);
}

/** Multiply-adds counted as 2 FLOPs; null for students whose query and passage meet inside the encoder. */
export function trainingStepFlops(c: Pick<RunConfig, 'arch' | 'hidden' | 'ffn' | 'layers' | 'batchSize' | 'queryLength' | 'passageLength'>): number | null {
  if (c.arch !== 'dot' && c.arch !== 'colbert') return null;
  const forward = c.batchSize * encoderFlops(c.queryLength, c) + 2 * c.batchSize * encoderFlops(c.passageLength, c);
  return 3 * forward;
}

/** An [m, k]·[k, n] product: m·n dot products of length k, a multiply and an add each. */
export function matmulFlops(m: number, k: number, n: number): number {
  return 2 * m * k * n;
}
