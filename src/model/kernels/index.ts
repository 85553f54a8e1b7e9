/**
 * Fused WebGPU kernels for what the profile shows tfjs spending a training step on (`npm run bench:profile`), each
 * beside the stock tfjs ops it replaces; `useKernels('stock')`, or any backend but WebGPU, takes the stock ops.
 */
export { KERNEL_CHOICES, isWebGpu, kernelsInUse, readCopy, useKernels, fusedBackend, type KernelChoice } from './webgpu';
export { layerNorm, stockLayerNorm } from './layer-norm';
export { attentionProbs, stockAttentionProbs, MASK_PENALTY } from './attention';
export { gelu, stockGelu } from './gelu';
export { embeddingLookup, groupById } from './embedding';
export { adamInPlace, type AdamStep } from './adam';
export { columnSum } from './reduce';
export { linear, batchMatMul } from './matmul';
export { maskedMeanPool, stockMaskedMeanPool } from './pooling';
export { fusedDispatches, startTimingPrograms, stopTimingPrograms, type ProgramTime } from './webgpu';
export { addBroadcast } from './broadcast';
