/**
 * One steady-state training step, taken apart: wall time, the kernels tfjs ran with their GPU time (timestamp
 * queries, where the adapter has them), and the WebGPU work behind them (dispatches, uniform writes, tensor
 * uploads, queue submits, bind groups).
 */
import * as tf from '../model/tf';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { RunConfig } from '../config/run-config';
import { probeAdapter } from '../state/adapter';
import { isWebGpu, startTimingPrograms, stopTimingPrograms } from '../model/kernels';
import { timedStep, trainerFor } from './runs';

/** tfjs's name for the kernel of a tf.customGrad op: all of its time is the fused programs', listed by shader. */
const CUSTOM_OP_KERNEL = 'forward';
/** The class of the fused programs (../model/kernels/webgpu.ts); they are timed by shader key instead. */
const FUSED_PROGRAM_CLASS = 'FlatProgram';

export interface KernelTotal {
  name: string;
  calls: number;
  ms: number;
}

/** A WebGPU program (a shader) and the tfjs kernels that ran it. */
export interface ProgramTotal extends KernelTotal {
  kernels: string[];
}

export interface WebGpuCounts {
  dispatches: number;
  uniformWrites: number;
  uploads: number;
  submits: number;
  bindGroups: number;
}

export interface StepProfile {
  backend: string;
  adapter: string;
  config: Partial<RunConfig>;
  parameters: number;
  /** Median wall time of the timed steps (ms), batch assembly and loss read-back included. */
  wallMs: number;
  /** Every wall time measured (ms). */
  wallSamples: number[];
  /** Sum of the kernels' GPU times in the profiled step; 0 where the adapter has no timestamp queries. */
  kernelMs: number;
  timestamps: boolean;
  kernels: KernelTotal[];
  /** The same time by shader (a kernel can run several, e.g. a fill and a matmul). */
  programs: ProgramTotal[];
  /** Per step, counted over the timed steps; null off WebGPU. */
  counts: WebGpuCounts | null;
  tensorsBefore: number;
  tensorsAfter: number;
}

/** Wraps the backend's entry points to count the work it hands the GPU; returns the counts and an undo. */
function countWebGpu(b: WebGPUBackend): { counts: WebGpuCounts; undo: () => void } {
  const counts: WebGpuCounts = { dispatches: 0, uniformWrites: 0, uploads: 0, submits: 0, bindGroups: 0 };
  const run = b.runWebGPUProgram.bind(b);
  const upload = b.uploadToGPU.bind(b);
  const submit = b.queue.submit.bind(b.queue);
  const writeBuffer = b.queue.writeBuffer.bind(b.queue);
  const bindGroup = b.device.createBindGroup.bind(b.device);
  b.runWebGPUProgram = (...args) => {
    counts.dispatches++;
    return run(...args);
  };
  b.uploadToGPU = (dataId) => {
    const data = b.tensorMap.get(dataId);
    if (data.resource == null && data.values != null) counts.uploads++;
    upload(dataId);
  };
  b.queue.submit = (buffers) => {
    counts.submits++;
    submit(buffers);
  };
  b.queue.writeBuffer = (...args: Parameters<GPUQueue['writeBuffer']>) => {
    counts.uniformWrites++;
    writeBuffer(...args);
  };
  b.device.createBindGroup = (descriptor) => {
    counts.bindGroups++;
    return bindGroup(descriptor);
  };
  const undo = () => {
    b.runWebGPUProgram = run;
    b.uploadToGPU = upload;
    b.queue.submit = submit;
    b.queue.writeBuffer = writeBuffer;
    b.device.createBindGroup = bindGroup;
  };
  return { counts, undo };
}

async function adapterName(): Promise<string> {
  const probed = await probeAdapter();
  if (!probed.adapter) return probed.message;
  const { vendor, architecture, description, software } = probed.adapter;
  return [vendor, architecture, description, software ? '(software)' : ''].filter((x) => x).join(' ');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Trains `warmup` steps (shader compilation, first uploads), then times `steps` and profiles one more. */
export async function profileStep(partial: Partial<RunConfig>, { warmup = 2, steps = 3 } = {}): Promise<StepProfile> {
  const trainer = await trainerFor({ ...partial, probeSize: Math.min(partial.probeSize ?? 8, 8) }, warmup + steps + 2);
  const backend = tf.getBackend();
  try {
    for (let i = 0; i < warmup; i++) await timedStep(trainer);
    const tensorsBefore = tf.memory().numTensors;
    const b = tf.backend();
    const counter = isWebGpu(b) ? countWebGpu(b) : null;
    const wallSamples: number[] = [];
    try {
      for (let i = 0; i < steps; i++) wallSamples.push(await timedStep(trainer));
    } finally {
      counter?.undo();
    }
    const tensorsAfter = tf.memory().numTensors;
    startTimingPrograms();
    const info = await tf.profile(() => trainer.step());
    const fusedTimes = await stopTimingPrograms();
    const byName = new Map<string, KernelTotal>();
    const byProgram = new Map<string, ProgramTotal>();
    let kernelMs = 0;
    for (const k of info.kernels) {
      if (k.name === CUSTOM_OP_KERNEL) continue;
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      kernelMs += ms;
      const total = byName.get(k.name) ?? { name: k.name, calls: 0, ms: 0 };
      total.calls++;
      total.ms += ms;
      byName.set(k.name, total);
      // The WebGPU backend's extra profile text: "ProgramName: ms, ProgramName: ms".
      for (const part of String(await k.extraInfo).split(', ')) {
        const m = /^(\w+): ([\d.eE+-]+)$/.exec(part);
        if (!m) continue;
        const name = m[1] as string;
        if (name === FUSED_PROGRAM_CLASS) continue;
        const p = byProgram.get(name) ?? { name, calls: 0, ms: 0, kernels: [] };
        p.calls++;
        p.ms += Number(m[2]);
        if (!p.kernels.includes(k.name)) p.kernels.push(k.name);
        byProgram.set(name, p);
      }
    }
    for (const t of fusedTimes) {
      kernelMs += t.ms;
      const name = `fused ${t.name}`;
      const p = byProgram.get(name) ?? { name, calls: 0, ms: 0, kernels: ['fused kernel'] };
      p.calls++;
      p.ms += t.ms;
      byProgram.set(name, p);
    }
    const perStep = (n: number) => Math.round(n / steps);
    const counts = counter ? { dispatches: perStep(counter.counts.dispatches), uniformWrites: perStep(counter.counts.uniformWrites), uploads: perStep(counter.counts.uploads), submits: perStep(counter.counts.submits), bindGroups: perStep(counter.counts.bindGroups) } : null;
    const adapter = isWebGpu(b) ? await adapterName() : backend;
    return {
      backend,
      adapter,
      config: partial,
      parameters: trainer.model.parameterCount(),
      wallMs: median(wallSamples),
      wallSamples,
      kernelMs,
      timestamps: kernelMs > 0,
      kernels: [...byName.values()].sort((x, y) => y.ms - x.ms || y.calls - x.calls),
      programs: [...byProgram.values()].sort((x, y) => y.ms - x.ms || y.calls - x.calls),
      counts,
      tensorsBefore,
      tensorsAfter,
    };
  } finally {
    trainer.dispose();
  }
}
