/**
 * Running our own WGSL programs on tfjs's WebGPU backend (./set.ts chooses between them and tfjs's stock ops).
 *
 * A program here is a flat grid of `threads` invocations (64 to a workgroup); its inputs are read as plain arrays by
 * their names and it writes `result`. Scalars travel as uniforms, never as uploaded tensors. Which threads do what
 * (a row each, an element each) is each kernel's own business.
 */
import * as tf from '../tf';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { BYTES_PER_ELEMENT, checkBindings, elementCount } from './limits';
import type { KernelChoice } from './choice';

/** Whether a tfjs backend is the WebGPU one (its programs, device and queue reachable). */
export function isWebGpu(b: tf.KernelBackend): b is WebGPUBackend {
  return 'runWebGPUProgram' in b && 'queue' in b && 'device' in b;
}

/**
 * The WebGPU backend when a kernel set of `choice` can run its programs now (fused chosen, tfjs on WebGPU); null
 * means: take the stock ops. Asked at every op, not when the set is made, since the backend can change between.
 */
export function fusedBackendFor(choice: KernelChoice): WebGPUBackend | null {
  if (choice !== 'fused' || tf.getBackend() !== 'webgpu') return null;
  const b = tf.backend();
  return isWebGpu(b) ? b : null;
}

export interface Uniform {
  name: string;
  type: 'i32' | 'f32';
  value: number;
}

const WORKGROUP = 64;

/** A flat program of `threads` invocations; `body` is WGSL run for each `index` below `uniforms.threads`. */
export class FlatProgram implements WebGPUProgram {
  readonly dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly uniforms: string;
  shaderKey: string;
  /** Inputs read as vec4 arrays (4) or scalars (1), one entry per input; all scalars when not set. */
  variableComponents?: number[];

  constructor(
    name: string,
    readonly outputShape: number[],
    readonly variableNames: string[],
    readonly threads: number,
    readonly declared: readonly Omit<Uniform, 'value'>[],
    private readonly body: string,
  ) {
    this.dispatch = [Math.max(1, Math.ceil(threads / WORKGROUP)), 1, 1];
    this.uniforms = ['threads : i32,', ...declared.map((u) => `${u.name} : ${u.type},`)].join(' ');
    this.shaderKey = `margin_${name}`;
    this.label = name;
  }

  /** The program's name (tfjs extends shaderKey with shapes and types when it compiles). */
  readonly label: string;

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.threads) {
          ${this.body}
        }
      }
    `;
  }
}

function uniformData(program: FlatProgram, values: readonly number[]): { type: string; data: number[] }[] {
  if (values.length !== program.declared.length) throw new Error(`${program.shaderKey}: ${program.declared.length} uniforms declared, ${values.length} given`);
  return [{ type: 'int32', data: [program.threads] }, ...program.declared.map((u, i) => ({ type: u.type === 'i32' ? 'int32' : 'float32', data: [values[i] as number] }))];
}

export interface ProgramTime {
  name: string;
  ms: number;
}

let timings: Promise<ProgramTime>[] | null = null;

/**
 * Times every program of this folder until `stopTimingPrograms` (for the profile). tfjs's profiler times kernels,
 * and the programs a custom gradient runs are inside none, so they are timed here one by one.
 */
export function startTimingPrograms(): void {
  timings = [];
}

export async function stopTimingPrograms(): Promise<ProgramTime[]> {
  const pending = timings ?? [];
  timings = null;
  return Promise.all(pending);
}

let dispatched = 0;

/** How many fused programs have run so far (tests check that the fused path really ran). */
export function fusedDispatches(): number {
  return dispatched;
}

/** Refuses a program whose inputs or output exceed the device's storage binding limit (see ./limits.ts). */
function checkLimits(b: WebGPUBackend, program: FlatProgram, inputs: readonly tf.Tensor[], outputShape: readonly number[]): void {
  const bindings = inputs.map((t, i) => ({ name: `input ${program.variableNames[i] ?? i} [${t.shape.join(', ')}]`, bytes: t.size * BYTES_PER_ELEMENT }));
  bindings.push({ name: `output [${outputShape.join(', ')}]`, bytes: elementCount(outputShape) * BYTES_PER_ELEMENT });
  checkBindings(program.label, bindings, b.device.limits.maxStorageBufferBindingSize);
}

function dispatch(b: WebGPUBackend, program: FlatProgram, run: () => void): void {
  dispatched++;
  if (!timings) return run();
  timings.push(b.time(run).then((t) => ({ name: program.label, ms: typeof t.kernelMs === 'number' ? t.kernelMs : 0 })));
}

/** Runs a program into a new tensor of its output shape. */
export function runProgram(b: WebGPUBackend, program: FlatProgram, inputs: tf.Tensor[], uniforms: readonly number[] = [], dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  checkLimits(b, program, inputs, program.outputShape);
  let info: tf.TensorInfo | null = null;
  dispatch(b, program, () => {
    info = b.runWebGPUProgram(program, inputs, dtype, uniformData(program, uniforms));
  });
  if (!info) throw new Error(`${program.shaderKey} did not run`);
  return tf.engine().makeTensorFromTensorInfo(info, b);
}

/** Whether the backend stores `t` as float32 (a cast of an int32 tensor keeps the int32 buffer: see TokenBatch). */
export function storedAsFloat(b: WebGPUBackend, t: tf.Tensor): boolean {
  return b.tensorMap.get(t.dataId).dtype === 'float32';
}

/**
 * A tensor's values read through a copy. The fused AdamW writes weights and moments in place; a step taken while a
 * read of the variable itself waits would leave that read's old values cached on the CPU, so checkpoints and exports
 * read a fresh tensor instead.
 */
export async function readCopy(t: tf.Tensor): Promise<Float32Array> {
  const copy = tf.tidy(() => t.mul(1));
  try {
    return Float32Array.from(await copy.data());
  } finally {
    copy.dispose();
  }
}

/**
 * Makes `v` the only holder of its buffer before it is written in place: tfjs shares buffers between tensors
 * (a clone, a reshape, a variable made from a tensor), and an in-place write would change every one of them.
 */
export function ownBuffer(b: WebGPUBackend, v: tf.Variable): void {
  if (b.refCount(v.dataId) <= 1) return;
  const copy = tf.tidy(() => v.mul(1));
  v.assign(copy);
  copy.dispose();
}

/**
 * Runs a program that rewrites `target` in place: the shader reads and writes `result`, which is the target's own
 * buffer. The target must not also be one of the inputs (WebGPU forbids a buffer bound as both).
 */
export function runInPlace(b: WebGPUBackend, program: FlatProgram, target: tf.Tensor, inputs: tf.Tensor[], uniforms: readonly number[] = []): void {
  if (inputs.some((t) => t.dataId === target.dataId)) throw new Error(`${program.shaderKey}: the target is also an input`);
  checkLimits(b, program, inputs, target.shape);
  dispatch(b, program, () => {
    b.runWebGPUProgram(program, inputs, target.dtype, uniformData(program, uniforms), { dataId: target.dataId, shape: target.shape, dtype: target.dtype });
  });
  // A read (data()) caches the values on the CPU and later reads return that copy: after writing the buffer in
  // place, the copy is stale. tfjs types the field as always set; null is what it holds for GPU-only data.
  const data = b.tensorMap.get(target.dataId);
  if (data.values != null) Reflect.set(data, 'values', null);
}

/** The forward half of an op with its own gradient: the output, and the gradients of the inputs from dy. */
export interface OpPass<T extends tf.Tensor> {
  value: T;
  gradFunc: (dy: T, saved: tf.Tensor[]) => tf.Tensor[];
}

/**
 * tf.customGrad with the inputs as an array and the save function apart. Every tensor the gradient reads must be
 * saved (inputs too): the tensors made inside a loss function are disposed before the backward pass runs.
 */
export function customOp<T extends tf.Tensor>(f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => OpPass<T>): (...inputs: tf.Tensor[]) => T {
  const op = tf.customGrad<T>((...args) => {
    const save = args[args.length - 1];
    if (typeof save !== 'function') throw new Error('customGrad passed no save function');
    const pass = f(
      args.filter((a): a is tf.Tensor => a instanceof tf.Tensor),
      save,
    );
    // The gradient's intermediates (block sums, reshapes) are freed when it returns, not at the end of backward.
    return { value: pass.value, gradFunc: (dy: T, saved: tf.Tensor[]) => tf.tidy(() => pass.gradFunc(dy, saved)) };
  });
  return (...inputs) => op(...inputs);
}
