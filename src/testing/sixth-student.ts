/**
 * A sixth student that exists only for the tests: what adding a student takes, in one module. It encodes query and
 * passage apart with the studio's encoder, pools them as the config says (the one student-specific field it reads),
 * and scores their cosine times a learned scale. Registered in a test-only registry beside the real five.
 */
import * as tf from '../model/tf';
import { defineEncoder, encode, type TokenBatch } from '../model/layers/transformer';
import type { Kernels } from '../model/kernels';
import { separateEncodingStepFlops, separateSequenceGroups, type StudentDescriptor } from '../model/students/descriptor';
import { encoderDims, firstToken, SeparateEncodingStudent, type StudentConfig } from '../model/students/student';
import type { StudentModule } from '../model/students/models';

export const cosine = {
  name: 'cosine',
  label: 'Cosine: pooled vectors, their cosine times a learned scale (a test student)',
  fields: ['pooling'],
  sequences: 'apart',
  pairCut: 'sides',
  pretrained: 'encoder',
  fromCheckpoint: ['hidden', 'heads', 'ffn', 'layers'],
  handoff: { refused: 'the cosine student exists only in the tests' },
  encoderLength: (c) => Math.max(c.queryLength, c.passageLength),
  encoderLayers: (c) => c.layers,
  headParameters: () => 1,
  check: (c) => (c.layers < 1 ? 'the cosine student needs a layer' : null),
  trainingStepFlops: separateEncodingStepFlops,
  sequenceGroups: (c, triples) => separateSequenceGroups(c, triples),
  headElements: (c, triples) => 3 * triples * c.hidden,
  largestHeadTensor: () => null,
} as const satisfies StudentDescriptor<'cosine'>;

class CosineStudent extends SeparateEncodingStudent<tf.Tensor2D> {
  readonly arch = cosine.name;

  constructor(config: StudentConfig, seed: number, kernels: Kernels) {
    super(config, seed, kernels);
    defineEncoder(this.params, 'encoder', encoderDims(cosine, config));
    this.params.constant('cosine/scale', [1], 5);
  }

  encodeSide(tokens: TokenBatch): tf.Tensor2D {
    const states = encode(this.kernels, this.params, 'encoder', encoderDims(cosine, this.config), tokens);
    const v = this.config.pooling === 'cls' ? firstToken(states) : this.kernels.maskedMeanPool(states, tokens.mask);
    return v.div(v.square().sum(1, true).add(1e-12).sqrt());
  }

  interact(q: tf.Tensor2D, _qMask: tf.Tensor2D, p: tf.Tensor2D): tf.Tensor1D {
    return q.mul(p).sum(1).mul(this.params.get('cosine/scale')) as tf.Tensor1D;
  }
}

export const sixthStudent: StudentModule = {
  descriptor: cosine,
  model: {
    scratch: (config, seed, kernels) => new CosineStudent(config, seed, kernels),
    pretrained: () => {
      throw new Error('the cosine student is built from scratch only');
    },
  },
};
