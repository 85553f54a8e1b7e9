/**
 * Fused WebGPU kernels for what the profile shows tfjs spending a training step on (`npm run bench:profile`), each
 * beside the stock tfjs ops it replaces. Callers take them through a kernel set (`kernelsFor(choice)`, ./set.ts)
 * passed to what they build; the stock set, or any backend but WebGPU, runs tfjs's ops.
 */
export { KERNEL_CHOICES, isKernelChoice, type KernelChoice } from './choice';
export { FUSED_KERNELS, STOCK_KERNELS, kernelsFor, type Kernels } from './set';
export { isWebGpu, readCopy } from './webgpu';
export { stockLayerNorm } from './layer-norm';
export { stockAttentionProbs, MASK_PENALTY } from './attention';
export { stockGelu } from './gelu';
export { groupById } from './embedding';
export { type AdamStep } from './adam';
export { stockMaskedMeanPool } from './pooling';
export { fusedDispatches, startTimingPrograms, stopTimingPrograms, type ProgramTime } from './webgpu';
