/**
 * What the worker's services share: the event channel to the page, the holder of the current student, and the
 * evaluation session (its open dataset files and caches). And the one way a new current student is made, which a
 * run, a weights file and a library model all take.
 */
import { getDataset } from '../data/store/catalog';
import { probeView } from '../eval/probe-view';
import type { EvalSession } from '../eval/session';
import { tokenizerInfo } from '../text/tokenizers';
import type { RunConfig, TfBackend } from '../config/run-config';
import { selectBackend } from '../train/backend';
import { startFor } from '../train/models';
import { planRun } from '../train/run-memory';
import { Trainer } from '../train/trainer.core';
import { trainingData } from '../train/training-data';
import type { TrainerEvent } from './protocol';
import type { CurrentStudent, StudentHolder } from './student';

export type Emit = (ev: TrainerEvent, transfer?: Transferable[]) => void;

export interface WorkerContext {
  readonly emit: Emit;
  readonly holder: StudentHolder;
  readonly evals: EvalSession;
}

/**
 * A student for `config` on a dataset, made the current one (the previous one is disposed once the data is read),
 * reading the dataset through `trainingData`. With `plan`, the run's memory plan is checked first (it throws when
 * the run cannot fit) and returned. The holder must be preparing.
 */
export async function prepareStudent(ctx: WorkerContext, datasetId: string, config: RunConfig, missing: string, plan = false) {
  const info = await getDataset(datasetId);
  if (!info) throw new Error(missing);
  if (info.counts.passages === 0 || info.counts.queries === 0 || info.counts.triples === 0) throw new Error(`dataset "${info.name}" needs passages, queries and teacher triples to train`);
  const pretrained = await startFor(config, info);
  const { backend, note } = await selectBackend(config.backend);
  const tokenizer = await tokenizerInfo(info.tokenizer, info.vocab);
  const memoryPlan = plan ? planRun(config, tokenizer, pretrained?.start, backend) : null;
  const data = await trainingData(info, config, (text) => ctx.emit({ type: 'status', state: 'loading', message: text }));
  // The previous student's GPU memory is freed before the new one takes its own.
  ctx.holder.replace(null);
  let trainer: Trainer;
  try {
    trainer = new Trainer(data, config, tokenizer, pretrained?.start);
  } catch (err) {
    data.close();
    throw err;
  }
  const student: CurrentStudent = { trainer, tokenizer: info.tokenizer, ...(info.vocab ? { vocab: info.vocab } : {}), history: [], runId: '', datasetId, model: pretrained?.model.name ?? null };
  ctx.holder.replace(student);
  return { info, trainer, student, backend, note, memoryPlan };
}

/** Tells the page what the new student is (and, for a resumed run, the losses so far). */
export function emitReady(emit: Emit, trainer: Trainer, backend: TfBackend, note: string, runId: string, resumed?: { step: number; losses: Float32Array }): void {
  const teacherProbePos = trainer.probeBatch.teacherPos.slice();
  const teacherProbeNeg = trainer.probeBatch.teacherNeg.slice();
  emit(
    {
      type: 'ready',
      backend,
      backendNote: note,
      config: trainer.config,
      parameterCount: trainer.model.parameterCount(),
      trainTriples: trainer.trainIndices.length,
      probeTriples: trainer.probeBatch.size,
      unresolvedTriples: trainer.data.unresolved,
      teacherProbePos,
      teacherProbeNeg,
      runId,
      ...(resumed ? { resumed } : {}),
    },
    [teacherProbePos.buffer, teacherProbeNeg.buffer, ...(resumed ? [resumed.losses.buffer] : [])],
  );
}

/**
 * A probe's event: the student's scores, and what the page draws of them binned here against the teacher's (the
 * page's main thread draws counts and never loops over the probe set).
 */
export function probeEvent(trainer: Trainer, step: number, s: { pos: Float32Array; neg: Float32Array }): [TrainerEvent, Transferable[]] {
  const teacher = { pos: trainer.probeBatch.teacherPos, neg: trainer.probeBatch.teacherNeg };
  return [{ type: 'probe', step, studentPos: s.pos, studentNeg: s.neg, view: probeView(teacher, s) }, [s.pos.buffer, s.neg.buffer]];
}

/** Scores the probe set with a student that is evaluated and tried, not trained, and lets its files go. */
export async function probeOnce(emit: Emit, trainer: Trainer): Promise<void> {
  const s = await trainer.probe();
  // The training files are not needed past the probe set.
  trainer.closeData();
  emit(...probeEvent(trainer, trainer.stepsDone, s));
}
