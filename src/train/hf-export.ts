/**
 * The current student as `transformers` / `sentence-transformers` see it: a dot student on a checkpoint is a
 * bi-encoder (its pooling, its Dense projection if any), a cat student a cross-encoder with its classification
 * head. Other students have no counterpart those libraries load, and are refused with the reason.
 */
import type { HfDense, HfModelDescription, HfWeight } from '../export/hf-layout';
import { DENSE_BIAS, DENSE_WEIGHT, readWeights } from '../model/layers/bert';
import { PretrainedStudent } from '../model/students/pretrained';
import { PretrainedCatStudent } from '../model/students/cat/model';
import { PretrainedDotStudent } from '../model/students/dot/model';
import type { Student } from '../model/students/student';

/** `target` names the export in the refusal ("a web page (transformers.js)" for the ONNX folder). */
export async function huggingFaceDescription(student: Student, target = 'a Hugging Face folder'): Promise<HfModelDescription> {
  if (!(student instanceof PretrainedDotStudent || student instanceof PretrainedCatStudent)) {
    const why =
      student instanceof PretrainedStudent
        ? `a ${student.arch} student has no class in transformers or sentence-transformers (dot has, as a SentenceTransformer, and cat, as a CrossEncoder)`
        : `this ${student.arch} student runs on the studio's own transformer (pre-norm blocks, ReLU), which transformers does not have; start a dot or cat run from a pretrained model to export it this way`;
    throw new Error(`cannot export as ${target}: ${why}. Its weights still export as safetensors or tfjs.`);
  }
  const { start } = student;
  const own = [DENSE_WEIGHT, DENSE_BIAS];
  // GPU→CPU sync: every weight once, at export time only.
  const values = await readWeights(student.params, student.params.vars.keys());
  const weights = new Map<string, HfWeight>([...values].filter(([name]) => !own.includes(name)));
  const denseWeight = values.get(DENSE_WEIGHT);
  const dense: HfDense | null = denseWeight ? { weight: denseWeight, bias: values.get(DENSE_BIAS) ?? null } : null;
  const c = student.config;
  const bi = student instanceof PretrainedDotStudent;
  return {
    type: start.type,
    kind: bi ? 'bi-encoder' : 'cross-encoder',
    dims: start.dims,
    weights,
    pooling: bi ? student.pooling : start.pooling,
    dense: bi ? dense : null,
    normalize: bi ? start.normalize : false,
    vocab: start.vocab,
    lowercase: start.lowercase,
    // The longest sequence the student was trained on, [CLS] and [SEP] counted.
    maxSeqLength: bi ? Math.max(c.queryLength, c.passageLength) + 2 : c.queryLength + c.passageLength + 3,
  };
}
