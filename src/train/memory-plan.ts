/**
 * The device memory a run will need, planned from its config and the student's sizes before any GPU work, against
 * what the adapter allows: its largest single buffer (`maxStorageBufferBindingSize`, `maxBufferSize`) and a budget
 * for all of them together (WebGPU does not say how much memory a device has, so the budget is an assumption).
 *
 * Everything is float32 or int32: 4 bytes an element. The parts:
 * - weights: the parameters; gradients: one of the same size each (tfjs's gradient of every weight, the embedding
 *   table's included, is dense); AdamW's moments: two more.
 * - activations of one micro-batch: tfjs keeps every tensor made inside a step's `variableGrads` until the step's
 *   tidy ends: the whole forward pass, and in backward each activation's gradient with what the gradient functions
 *   make on the way. The forward tensors are counted per transformer layer from what `runLayers` makes, on the fused
 *   WebGPU kernels or tfjs's stock ops (`layerForwardElements`), per sequence group of the architecture; backward
 *   holds BACKWARD_FACTOR times the forward: measured, not derived: 0.8 to 1.1 times the forward on WebGPU (SwiftShader; which buffers
 *   tfjs takes and gives back is decided in JavaScript, the same on any GPU), 0.7 to 0.9 on the CPU backend
 *   (memory-plan.tfjs.test.ts, over the five students; 2.0 to 3.5 there while tfjs's segment sum made the
 *   embedding gradient, before it was summed on the host).
 * - with gradient accumulation (a micro-batch smaller than the batch), a second set of gradients: the running sum
 *   and the micro-batch's own exist together while they are added (accumulate.ts).
 * - the probe: Trainer.probe scores the probe set a micro-batch of triples per forward (no gradients), not at the
 *   same time as a step's activations: the plan takes the larger of the two.
 * The plan is checked against tfjs's own byte counts in memory-plan.tfjs.test.ts.
 */
import { studentOf, type Arch } from '../model/students/registry';
import type { SequenceGroup } from '../model/students/descriptor';

export type { SequenceGroup };
import type { StudentConfig, StudentSizes } from '../model/students/config';
import type { RunConfig } from '../config/run-config';
import { formatBytes } from '../util/bytes';

export const BYTES_PER_ELEMENT = 4;

/**
 * Device memory assumed when nothing better is known: WebGPU exposes no memory size, and 8 GB is a common card
 * (and what SwiftShader here reached before the run of issue 21 stalled).
 */
export const DEFAULT_DEVICE_BUDGET = 8 * 1024 ** 3;

/** What backward holds, as a multiple of the forward tensors, on WebGPU and elsewhere (see the header). */
export const BACKWARD_FACTOR = { webgpu: 1.25, other: 1.25 } as const;

/** `fused`: the studio's WebGPU kernels; `stock`: tfjs's ops (every backend but WebGPU, or kernels set to stock). */
export type PlanKernels = 'fused' | 'stock';

/**
 * What the plan needs of a run config and the student built from it: the student's sizes (on a checkpoint, the
 * checkpoint's: `layers` is PreTTR's lower layers, `jointLayers` its upper ones) and the run's batch shapes.
 */
export interface PlanInput extends StudentSizes {
  arch: Arch;
  /** Whether tfjs runs on WebGPU (its buffers, its limits); `kernels` is then fused or stock, elsewhere stock. */
  webgpu: boolean;
  kernels: PlanKernels;
  /** On a pretrained checkpoint: single texts carry [CLS] and [SEP] (the transformers layout). */
  pretrained: boolean;
  batchSize: number;
  /** Triples per forward/backward; 0 or the batch size: the whole batch at once. */
  microBatch: number;
  probeSize: number;
  vocabSize: number;
  /** The student's exact parameter count (countParameters, or a checkpoint's). */
  parameters: number;
}

export interface DeviceLimits {
  /** The largest buffer a shader can bind as storage. */
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  /** All buffers together (an assumption: see DEFAULT_DEVICE_BUDGET). */
  budget: number;
}

/** No per-buffer limit (CPU and WebGL backends): only the budget applies. */
export function budgetOnly(budget = DEFAULT_DEVICE_BUDGET): DeviceLimits {
  return { maxStorageBufferBindingSize: Infinity, maxBufferSize: Infinity, budget };
}

export interface Buffer {
  bytes: number;
  what: string;
}

export interface MemoryPlan {
  weights: number;
  gradients: number;
  optimizer: number;
  /** One micro-batch's forward tensors, and what backward holds. */
  activations: number;
  /** The probe set's forward pass. */
  probe: number;
  /** weights + gradients + optimizer + max(activations, probe): the most held at once. */
  bytes: number;
  largest: Buffer;
  /** The per-buffer limit the largest buffer is held to: min(maxStorageBufferBindingSize, maxBufferSize). */
  limit: number;
  budget: number;
  fits: boolean;
  /** Why it does not fit ('' when it does). */
  reason: string;
  /** The largest micro-batch (a divisor of the batch) that fits; 0 when none does. */
  largestMicroBatch: number;
  microBatch: number;
}

/**
 * The sequences one forward pass over `triples` triples encodes, as the student's descriptor says. Students that
 * encode apart (dot, colbert, tk) encode the query once and both passages; the others score (query, pos) and
 * (query, neg) as 2 × triples pairs.
 */
export function sequenceGroups(p: PlanInput, triples: number): SequenceGroup[] {
  return studentOf(p.arch).sequenceGroups(p, triples);
}

/**
 * Elements of the forward tensors one transformer layer makes over T = rows × length tokens, as runLayers makes them
 * (reshapes and same-type casts share their input's buffer and are not counted).
 *
 * Fused: LayerNorm 1 (T·d, and its row statistics 2·T), qkv with its bias (3·T·d), the split (3·T·d) and the heads'
 * transpose (3·T·d), scores and probabilities (2 · rows·heads·L²), the mixed values and their transpose back
 * (2·T·d), the output projection and the residual (2·T·d), LayerNorm 2 (T·d + 2·T), the feed-forward and its
 * activation (2·T·f), its output and the residual (2·T·d): T·(17·d + 2·f + 4) + 2·rows·heads·L².
 *
 * Stock (tfjs's ops): each LayerNorm is moments (two means, x − mean and its square) and the normalisation (x − mean,
 * + ε, rsqrt, two products, + β): 6·T·d + 4·T; a linear layer is a product and a bias add (2 × its output: 6·T·d for
 * qkv, 2·T·d and 2·T·f for the others); the split and the heads' transposes (6·T·d); scores, scaled, masked and the
 * softmax (4 · rows·heads·L²); mixed values and their transpose back (2·T·d), the output's 2·T·d and residual T·d;
 * the activation (T·f), the second feed-forward product, bias and residual (3·T·d):
 * T·(32·d + 3·f + 8) + 4·rows·heads·L².
 */
export function layerForwardElements(rows: number, length: number, p: Pick<PlanInput, 'hidden' | 'heads' | 'ffn' | 'kernels'>): number {
  const tokens = rows * length;
  const scores = rows * p.heads * length * length;
  if (p.kernels === 'fused') return tokens * (17 * p.hidden + 2 * p.ffn + 4) + 2 * scores;
  return tokens * (32 * p.hidden + 3 * p.ffn + 8) + 4 * scores;
}

/** Forward elements of one group: its layers, plus the embedding (lookup and positions added) and final norm. */
function groupForwardElements(g: SequenceGroup, p: PlanInput): number {
  const tokens = g.rows * g.length;
  const embedding = g.embedded ? 2 * tokens * p.hidden : 0;
  const norm = !g.finalNorm ? 0 : p.kernels === 'fused' ? tokens * p.hidden + 2 * tokens : 6 * tokens * p.hidden + 4 * tokens;
  return g.layers * layerForwardElements(g.rows, g.length, p) + embedding + norm;
}

/** What the student makes past its encoder, per forward over `triples` triples (scores, interactions). */
function headElements(p: PlanInput, triples: number): number {
  return studentOf(p.arch).headElements(p, triples);
}

/** Forward elements of a pass over `triples` triples: what a probe holds, and half of what a step holds. */
export function forwardElements(p: PlanInput, triples: number): number {
  return sequenceGroups(p, triples).reduce((sum, g) => sum + groupForwardElements(g, p), 0) + headElements(p, triples);
}

/** The largest single tensor of a forward pass over `triples` triples (backward's gradients have the same shapes). */
function largestActivation(p: PlanInput, triples: number, label: string): Buffer {
  let best: Buffer = { bytes: 0, what: '' };
  const consider = (elements: number, what: string) => {
    const bytes = elements * BYTES_PER_ELEMENT;
    if (bytes > best.bytes) best = { bytes, what: `${what} of the ${label}` };
  };
  for (const g of sequenceGroups(p, triples)) {
    if (g.layers === 0) continue;
    const shape = `${g.rows} sequences × ${g.length} tokens`;
    consider(g.rows * p.heads * g.length * g.length, `attention scores (${shape} × ${p.heads} heads × ${g.length})`);
    consider(g.rows * g.length * p.ffn, `feed-forward activation (${shape} × ${p.ffn})`);
    consider(g.rows * g.length * 3 * p.hidden, `query/key/value projection (${shape} × ${3 * p.hidden})`);
  }
  const head = studentOf(p.arch).largestHeadTensor(p, triples);
  if (head) consider(head.elements, head.what);
  return best;
}

function sizesOf(p: PlanInput, microBatch: number) {
  const weights = p.parameters * BYTES_PER_ELEMENT;
  const activations = (1 + BACKWARD_FACTOR[p.webgpu ? 'webgpu' : 'other']) * forwardElements(p, microBatch) * BYTES_PER_ELEMENT;
  const probeTriples = Math.min(p.probeSize, microBatch);
  const probe = forwardElements(p, probeTriples) * BYTES_PER_ELEMENT;
  const table: Buffer = { bytes: p.vocabSize * p.hidden * BYTES_PER_ELEMENT, what: `the token embedding table (${p.vocabSize} × ${p.hidden}), and its gradient and moments` };
  const candidates = [table, largestActivation(p, microBatch, `step (micro-batch ${microBatch})`), largestActivation(p, probeTriples, `probe set (${probeTriples} triples at once)`)];
  const largest = candidates.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const gradients = microBatch < p.batchSize ? 2 * weights : weights;
  return { weights, gradients, optimizer: 2 * weights, activations, probe, bytes: weights + gradients + 2 * weights + Math.max(activations, probe), largest };
}


/** Why a sizing does not fit the limits, or '' when it does. */
function whyNot(s: ReturnType<typeof sizesOf>, limit: number, budget: number): string {
  if (s.largest.bytes > limit) return `the largest buffer, ${s.largest.what}, is ${formatBytes(s.largest.bytes)}, over the adapter's ${formatBytes(limit)} per buffer`;
  if (s.bytes > budget) return `the run needs ${formatBytes(s.bytes)} (weights ${formatBytes(s.weights)}, gradients ${formatBytes(s.gradients)}, AdamW moments ${formatBytes(s.optimizer)}, activations ${formatBytes(Math.max(s.activations, s.probe))}${s.probe > s.activations ? ' for the probe set' : ''}), over the ${formatBytes(budget)} budget`;
  return '';
}

function divisorsDescending(n: number): number[] {
  const out: number[] = [];
  for (let k = n; k >= 1; k--) if (n % k === 0) out.push(k);
  return out;
}

/** The run's plan against `limits`; throws on a plan input that is not a size. */
export function planMemory(p: PlanInput, limits: DeviceLimits): MemoryPlan {
  for (const key of ['batchSize', 'probeSize', 'queryLength', 'passageLength', 'hidden', 'heads', 'ffn', 'vocabSize', 'parameters'] as const) {
    if (!Number.isInteger(p[key]) || p[key] < 1) throw new Error(`memory plan: ${key} must be a positive whole number, got ${p[key]}`);
  }
  if (!Number.isInteger(p.microBatch) || p.microBatch < 0 || (p.microBatch > 0 && p.batchSize % p.microBatch !== 0)) throw new Error(`memory plan: microBatch must be 0 or divide the batch (${p.batchSize}), got ${p.microBatch}`);
  const microBatch = p.microBatch > 0 ? p.microBatch : p.batchSize;
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const s = sizesOf(p, microBatch);
  const reason = whyNot(s, limit, limits.budget);
  const largestMicroBatch = divisorsDescending(p.batchSize).find((k) => whyNot(sizesOf(p, k), limit, limits.budget) === '') ?? 0;
  const advice = reason === '' ? '' : largestMicroBatch > 0 ? `; a micro-batch of ${largestMicroBatch} fits` : '; no micro-batch fits: lower the lengths, the probe set or the model size';
  return { ...s, limit, budget: limits.budget, fits: reason === '', reason: reason + advice, largestMicroBatch, microBatch };
}

/**
 * The plan's input for a run: its config, the student's sizes (on a checkpoint, the checkpoint's: studentConfigFor)
 * and its parameter count, on WebGPU (where the config's kernel choice holds) or not.
 */
export function planInputFor(config: RunConfig, student: StudentConfig, parameters: number, webgpu: boolean): PlanInput {
  const fused = webgpu && config.kernels === 'fused';
  const { arch, batchSize, microBatch, probeSize, queryLength, passageLength } = config;
  const { hidden, heads, ffn, layers, jointLayers, compressDim, vocabSize, pooling } = student;
  return { arch, webgpu, kernels: fused ? 'fused' : 'stock', pretrained: config.start !== 'scratch', pooling, batchSize, microBatch, probeSize, queryLength, passageLength, hidden, heads, ffn, layers, jointLayers, compressDim, vocabSize, parameters };
}
