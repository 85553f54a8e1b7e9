/**
 * A run's memory in the worker: the plan checked before any weight reaches the GPU, and after each step the device's
 * health and tfjs's buffer pool (gpu-guard.ts). Kept apart from the worker's training service, which only calls these.
 */
import type { HfModelDescription } from '../export/hf-layout';
import type { TokenizerInfo } from '../text/tokenizers';
import { countParameters } from '../model/students/descriptor';
import { studentOf } from '../model/students/registry';
import type { RunConfig, TfBackend } from '../config/run-config';
import { studentConfigFor } from './models';
import { planInputFor, planMemory, type MemoryPlan } from './memory-plan';
import { formatBytes } from '../util/bytes';
import { deviceLimits, gpuMemory, openOutOfMemoryScope, throwIfGpuFailed, trimBufferPool, type RunGpuMemory } from './gpu-guard';

/** Weights a checkpoint brings (and its Dense projection), else the scratch student's count. */
function parametersOf(config: RunConfig, tokenizer: TokenizerInfo, start: HfModelDescription | null | undefined): number {
  const student = studentConfigFor(config, tokenizer, start);
  const descriptor = studentOf(config.arch);
  if (!start || descriptor.pretrained !== 'encoder') return countParameters(descriptor, student);
  let n = 0;
  for (const w of start.weights.values()) n += w.data.length;
  if (start.dense) n += start.dense.weight.data.length + (start.dense.bias?.data.length ?? 0);
  // A new head or projection is a few thousand weights at most: the dense projection the config may add.
  return n + config.denseDim * student.hidden + config.denseDim + student.hidden + 1;
}

/** The run's plan on the backend just chosen; throws, before any GPU work, when it does not fit. */
export function planRun(config: RunConfig, tokenizer: TokenizerInfo, start: HfModelDescription | null | undefined, backend: TfBackend): MemoryPlan {
  const student = studentConfigFor(config, tokenizer, start);
  const plan = planMemory(planInputFor(config, student, parametersOf(config, tokenizer, start), backend === 'webgpu'), deviceLimits());
  if (!plan.fits) throw new Error(`this run does not fit the device, by its memory plan (nothing was run on the GPU): ${plan.reason}`);
  return plan;
}

/** What a run checks after each step: the device's health, and the buffer pool held near the plan. */
export class RunMemoryWatch {
  private peakAllocated = 0;
  /** Free buffers destroyed so far. */
  private released = 0;
  private closeScope: (() => Promise<string | null>) | null;

  constructor(private readonly plan: MemoryPlan | null) {
    // Allocations of the probe and the first step that fail come back here rather than only as an event.
    this.closeScope = openOutOfMemoryScope();
  }

  async afterStep(): Promise<void> {
    if (this.closeScope) {
      const close = this.closeScope;
      this.closeScope = null;
      // GPU→CPU sync: once, after the first step, to learn whether its allocations succeeded.
      const failure = await close();
      if (failure) throw new Error(`${failure}; ${this.plan ? `the plan counted ${formatBytes(this.plan.bytes)}: ` : ''}lower the micro-batch, the batch or the lengths`);
    }
    throwIfGpuFailed();
    const memory = gpuMemory();
    if (memory) this.peakAllocated = Math.max(this.peakAllocated, memory.allocatedBytes);
    // Sizes no longer in use (the probe's, an evaluation's) go; those the steps reuse stay, up to twice what the plan
    // gives a step or the probe (a bound, so that a plan that undercounts does not make every step allocate afresh).
    this.released += trimBufferPool(this.plan ? 2 * Math.max(this.plan.activations, this.plan.probe) : 0);
  }

  /**
   * Closes the first step's error scope if no step closed it (a run stopped or failed before one): a scope left open
   * would swallow every later out-of-memory error of the device instead of raising `uncapturederror`.
   */
  async close(): Promise<void> {
    const close = this.closeScope;
    this.closeScope = null;
    if (close) await close().catch(() => null);
  }

  /** tfjs's GPU buffers now, and the most it held after any step (before trimming): what the run really took. */
  stats(): RunGpuMemory | null {
    const memory = gpuMemory();
    return memory ? { ...memory, peakAllocatedBytes: Math.max(this.peakAllocated, memory.allocatedBytes), releasedBuffers: this.released } : null;
  }
}
