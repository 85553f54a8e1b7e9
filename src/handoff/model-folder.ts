/**
 * The model folder a handoff carries, from the checkpoint a run began with: written as the class train.py loads
 * (a sentence-transformers folder with the run's pooling for dot, a plain transformers folder for cat), whatever
 * kind of checkpoint the run started from. Pure: the description comes in as data.
 */
import { huggingFaceFolder, type HfFile, type TrainingSummary } from '../export/hf';
import { weightSpecs, type HfModelDescription } from '../export/hf-layout';
import type { RunConfig } from '../config/run-config';
import { studentOf } from '../model/students/registry';
import { handoffKindOf } from './mapping';

export function startFolder(start: HfModelDescription, config: RunConfig, summary: TrainingSummary): { files: HfFile[]; addDense: number } {
  if (handoffKindOf(studentOf(config.arch)) === 'bi-encoder') {
    // A bi-encoder with the run's pooling; a cross-encoder checkpoint gives its encoder (its head is not used).
    const specs = new Set(weightSpecs(start.type, 'bi-encoder', start.dims).map((s) => s.name));
    const weights = new Map([...start.weights].filter(([name]) => specs.has(name)));
    const bi: HfModelDescription = { ...start, kind: 'bi-encoder', weights, pooling: config.pooling, dense: start.kind === 'bi-encoder' ? start.dense : null };
    const addDense = config.denseDim > 0 && !bi.dense ? config.denseDim : 0;
    return { files: huggingFaceFolder(bi, summary), addDense };
  }
  // A cross-encoder: the checkpoint as transformers saved it, with no bi-encoder pipeline for a CrossEncoder to trip on; it adds
  // a head where the checkpoint has none.
  return { files: huggingFaceFolder(start, summary, { sentenceTransformers: false }), addDense: 0 };
}
