/** Builds the configured student, and counts its parameters without building it. */
import { CatStudent } from './cat';
import { ColbertStudent } from './colbert';
import { DotStudent } from './dot';
import { PrettStudent } from './prett';
import type { Arch, Student, StudentConfig } from './student';
import { TkStudent } from './tk';
import * as tf from '../tf';
import type { Kernels } from '../kernels';
import { EMBEDDING_NAMES } from '../../export/hf-layout';
import { createPretrainedEncoderStudent, type PretrainedStart } from './pretrained';

const CLASSES = { dot: DotStudent, colbert: ColbertStudent, tk: TkStudent, prett: PrettStudent, cat: CatStudent } satisfies Record<Arch, unknown>;

/**
 * The configured student, from scratch or on a pretrained checkpoint. On a checkpoint every student but tk uses its
 * encoder; tk is the paper's small transformer with only its word embeddings taken from the checkpoint (the
 * configured hidden size is the checkpoint's).
 */
export function createStudent(arch: Arch, config: StudentConfig, seed: number, kernels: Kernels, start?: PretrainedStart, denseDim = 0): Student {
  if (!start) return new CLASSES[arch](config, seed, kernels);
  if (arch !== 'tk') return createPretrainedEncoderStudent(arch, config, start, seed, kernels, denseDim);
  const tk = new TkStudent({ ...config, hidden: start.dims.hidden, vocabSize: start.dims.vocabSize }, seed, kernels);
  const words = start.weights.get(`${EMBEDDING_NAMES.word}.weight`);
  if (!words) throw new Error('the checkpoint has no word embeddings');
  tf.tidy(() => tk.params.get('encoder/tok_emb').assign(tf.tensor(words.data, words.shape)));
  return tk;
}

export { countParameters } from './sizes';
