/**
 * Named trainable weights, initialised from the project's own seeded generator so that a seed fixes the starting
 * point on every backend (tfjs's own initialisers draw differently per backend build).
 */
import * as tf from '../tf';
import { Rng } from '../../util/random';

export class ParamSet {
  readonly vars = new Map<string, tf.Variable>();

  constructor(private readonly rng: Rng) {}

  /** Truncated-normal-ish values (clipped at two standard deviations), BERT's choice. */
  normal(name: string, shape: number[], std: number): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = Math.max(-2, Math.min(2, this.rng.normal())) * std;
    return this.add(name, tf.tensor(values, shape));
  }

  constant(name: string, shape: number[], value: number): tf.Variable {
    return this.add(name, tf.fill(shape, value));
  }

  /** A weight that starts from given values (a pretrained checkpoint's), copied so the caller's array stays its own. */
  fromValues(name: string, shape: number[], values: Float32Array): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`parameter ${name}: shape [${shape.join(', ')}] holds ${size} values, ${values.length} given`);
    return this.add(name, tf.tensor(values.slice(), shape, 'float32'));
  }

  private add(name: string, init: tf.Tensor): tf.Variable {
    if (this.vars.has(name)) throw new Error(`parameter ${name} defined twice`);
    // tfjs variable names are global to the engine; ours live in this set, so two students can coexist.
    const v = tf.variable(init, true);
    init.dispose();
    this.vars.set(name, v);
    return v;
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter named ${name}`);
    return v;
  }

  count(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  list(): tf.Variable[] {
    return [...this.vars.values()];
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
