/**
 * A linear layer y = x · Wᵀ + b (W stored `[out, in]` as PyTorch keeps it) in float32 or in the int8 form of
 * onnxruntime's `quantize_dynamic` (the `model_quantized.onnx` transformers.js loads with `dtype: 'q8'`):
 *
 * - the weight is quantized once, per tensor, symmetric: scale = max|W| / 127, zero point 0, values in [-127, 127]
 *   (what quantize_dynamic does for int8 weights);
 * - the activation is quantized at run time by `DynamicQuantizeLinear` (uint8, its own scale and zero point per call);
 * - `MatMulInteger` multiplies the two in int32, `Cast` makes that float, `Mul` by (activation scale × weight scale)
 *   brings it back to the float scale, then the float bias is added.
 *
 * Embedding tables (Gather) are stored int8 the same way and dequantized after the lookup (bert.ts), as
 * quantize_dynamic does by default.
 *
 * Standard-domain ops only (no com.microsoft MatMulIntegerToFloat), so any ONNX runtime with opset 17 runs it.
 */
import { DataType, type DataTypeCode } from './proto';
import type { GraphBuilder } from './graph';

export interface LinearWeights {
  /** `[out, in]`, row-major. */
  weight: { shape: readonly number[]; data: Float32Array };
  bias: { shape: readonly number[]; data: Float32Array } | null;
}

/** W `[out, in]` → Wᵀ `[in, out]`, the right-hand side ONNX MatMul wants. */
export function transposed(data: Float32Array, out: number, inputs: number): Float32Array {
  const t = new Float32Array(data.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inputs; i++) t[i * out + o] = data[o * inputs + i] as number;
  return t;
}

/** Per-tensor symmetric int8: q = round(w / scale) clamped to [-127, 127], scale = max|w| / 127 (1 for all zeros). */
export function quantizeSymmetric(data: Float32Array): { values: Int8Array; scale: number } {
  let top = 0;
  for (const v of data) top = Math.max(top, Math.abs(v));
  // Math.fround: the scale is stored as float32, and the values must be rounded against the stored scale.
  const scale = Math.fround(top > 0 ? top / 127 : 1);
  const values = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) values[i] = Math.max(-127, Math.min(127, Math.round((data[i] as number) / scale)));
  return { values, scale };
}

/** One activation is quantized once however many layers read it (query, key and value share their input). */
const dynamicQuantized = new WeakMap<GraphBuilder, Map<string, [string, string, string]>>();

function quantizedInput(g: GraphBuilder, x: string): [string, string, string] {
  let cache = dynamicQuantized.get(g);
  if (!cache) dynamicQuantized.set(g, (cache = new Map()));
  const known = cache.get(x);
  if (known) return known;
  const outs = g.opN('DynamicQuantizeLinear', [x], 3, undefined, `${x}_q`) as [string, string, string];
  cache.set(x, outs);
  return outs;
}

/** x `[..., in]` → `[..., out]`. */
export function linear(g: GraphBuilder, x: string, name: string, w: LinearWeights, int8: boolean): string {
  const [out, inputs] = w.weight.shape as [number, number];
  if (w.weight.shape.length !== 2) throw new Error(`ONNX export: ${name}.weight has shape [${w.weight.shape.join(', ')}], expected [out, in]`);
  if (w.bias && w.bias.data.length !== out) throw new Error(`ONNX export: ${name}.bias has ${w.bias.data.length} values, expected ${out}`);
  const wt = transposed(w.weight.data, out, inputs);
  let y: string;
  if (int8) {
    const { values, scale } = quantizeSymmetric(wt);
    const qw = g.tensor(`${name}.weight_quantized`, DataType.INT8, [inputs, out], values);
    const zero = g.tensor(`${name}.weight_zero_point`, DataType.INT8, [], Int8Array.of(0));
    const wScale = g.tensor(`${name}.weight_scale`, DataType.FLOAT, [], Float32Array.of(scale));
    const [qx, xScale, xZero] = quantizedInput(g, x);
    const product = g.op('MatMulInteger', [qx, qw, xZero, zero], undefined, `${name}_int32`);
    const asFloat = g.op('Cast', [product], { to: { int: DataType.FLOAT satisfies DataTypeCode } }, `${name}_float`);
    const scale2 = g.op('Mul', [xScale, wScale], undefined, `${name}_scale`);
    y = g.op('Mul', [asFloat, scale2], undefined, `${name}_matmul`);
  } else {
    y = g.op('MatMul', [x, g.tensor(`${name}.weight_t`, DataType.FLOAT, [inputs, out], wt)], undefined, `${name}_matmul`);
  }
  return w.bias ? g.op('Add', [y, g.tensor(`${name}.bias`, DataType.FLOAT, [out], w.bias.data)], undefined, name) : y;
}
