/**
 * A small builder over proto.ts: nodes get fresh output names, constants become initializers, and a linear layer
 * is one call that writes either float MatMul + Add or its dynamically quantized int8 form (quantize.ts).
 */
import { DataType, type AttributeValue, type DataTypeCode, type NodeInit, type TensorInit, type ValueInfo } from './proto';

const bytesOf = (a: Float32Array | BigInt64Array | Int8Array | Uint8Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export class GraphBuilder {
  readonly nodes: NodeInit[] = [];
  readonly initializers: TensorInit[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private count = 0;
  private readonly names = new Set<string>();
  /** Scalar and small constants by value, so `Max(x, 1)` in ten places is one initializer. */
  private readonly constants = new Map<string, string>();

  private fresh(base: string): string {
    let name = base;
    while (this.names.has(name)) name = `${base}_${++this.count}`;
    this.names.add(name);
    return name;
  }

  /** A graph input; its name is public (what callers feed), so a clash is an error, not a rename. */
  input(name: string, elemType: DataTypeCode, dims: ValueInfo['dims']): string {
    if (this.names.has(name)) throw new Error(`ONNX graph: ${name} is already a value of this graph`);
    this.names.add(name);
    this.inputs.push({ name, elemType, dims });
    return name;
  }

  /** Renames a value to a graph output by an Identity node (outputs keep their public names whatever built them). */
  output(value: string, name: string, elemType: DataTypeCode, dims: ValueInfo['dims']): void {
    if (this.names.has(name)) throw new Error(`ONNX graph: ${name} is already a value of this graph`);
    this.names.add(name);
    this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [name], name: `${name}_out` });
    this.outputs.push({ name, elemType, dims });
  }

  /** One node with one output; returns the output's name. */
  op(opType: string, inputs: readonly string[], attributes?: Record<string, AttributeValue>, hint = opType, domain?: string): string {
    return this.opN(opType, inputs, 1, attributes, hint, domain)[0] as string;
  }

  opN(opType: string, inputs: readonly string[], outputs: number, attributes?: Record<string, AttributeValue>, hint = opType, domain?: string): string[] {
    const names = Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? hint : `${hint}_${i}`));
    this.nodes.push({ opType, inputs, outputs: names, name: `${names[0]}_node`, ...(attributes ? { attributes } : {}), ...(domain ? { domain } : {}) });
    return names;
  }

  /** A weight or constant tensor. */
  tensor(name: string, dataType: DataTypeCode, dims: readonly number[], data: Float32Array | BigInt64Array | Int8Array | Uint8Array | Int32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new Error(`ONNX tensor ${name}: ${data.length} values for shape [${dims.join(', ')}]`);
    const unique = this.fresh(name);
    this.initializers.push({ name: unique, dataType, dims, raw: bytesOf(data) });
    return unique;
  }

  private shared(key: string, make: () => string): string {
    const known = this.constants.get(key);
    if (known) return known;
    const name = make();
    this.constants.set(key, name);
    return name;
  }

  /** A float scalar (rank 0), shared by value. */
  scalar(value: number): string {
    return this.shared(`f:${value}`, () => this.tensor('const_f', DataType.FLOAT, [], Float32Array.of(value)));
  }

  /** An int64 vector (shapes, axes), shared by value. */
  ints(values: readonly number[]): string {
    return this.shared(`i:${values.join(',')}`, () => this.tensor('const_i', DataType.INT64, [values.length], BigInt64Array.from(values.map(BigInt))));
  }

  /** An int64 scalar (rank 0), shared by value: a Gather index that drops the axis. */
  intScalar(value: number): string {
    return this.shared(`is:${value}`, () => this.tensor('const_is', DataType.INT64, [], BigInt64Array.of(BigInt(value))));
  }
}
