/**
 * Matrix arithmetic of one training step, for GFLOP/s figures: each student counts its own (its descriptor's
 * trainingStepFlops; the encoder's count is model/students/descriptor.ts encoderFlops). Multiply-adds count as 2
 * FLOPs; null for students whose count is not kept (query and passage meeting inside the encoder, TK's kernels).
 */
import type { RunConfig } from '../config/run-config';
import { studentOf } from '../model/students/registry';

export { encoderFlops } from '../model/students/descriptor';

export function trainingStepFlops(c: Pick<RunConfig, 'arch' | 'hidden' | 'ffn' | 'layers' | 'batchSize' | 'queryLength' | 'passageLength'>): number | null {
  return studentOf(c.arch).trainingStepFlops(c);
}

/** An [m, k]·[k, n] product: m·n dot products of length k, a multiply and an add each. */
export function matmulFlops(m: number, k: number, n: number): number {
  return 2 * m * k * n;
}
