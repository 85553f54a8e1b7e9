/**
 * Training runs: a new run or a checkpoint's run continued, its loop paused, resumed and stopped, its checkpoints
 * and dev-set checks. The run reports through events and ends with a `status` event; its student stays current.
 */
import type { DevEvalResult } from '../eval/session';
import { evalLengthsOf, resolveRunConfig, type RunConfig } from '../config/run-config';
import { checkpointBytes, loadCheckpoint, markFinished, saveCheckpoint, type Checkpoint } from '../train/checkpoints';
import { failedRunMessage, gpuFailure } from '../train/gpu-guard';
import { RunMemoryWatch } from '../train/run-memory';
import type { Trainer } from '../train/trainer.core';
import { TrainingLoop, type LoopHooks } from '../train/training-loop';
import { newId } from '../util/ids';
import { errorMessage } from '../util/errors';
import { emitReady, prepareStudent, probeEvent, type WorkerContext } from './prepare';

type DevCheck = (step: number) => Promise<DevEvalResult | null>;

/**
 * A run's error; one that came from a failed GPU device (a read-back rejects with the bare cause, or WebGPU with a
 * DOMException) becomes that failure and what to do. Other errors stay as they are, even after a failure.
 */
function runErrorText(err: unknown): string {
  const text = errorMessage(err);
  const failure = gpuFailure();
  const fromGpu = failure !== null && (text === failure || (typeof DOMException !== 'undefined' && err instanceof DOMException));
  return fromGpu ? failedRunMessage(failure) : text;
}

export class TrainingService {
  constructor(private readonly ctx: WorkerContext) {}

  /**
   * Starts a run (or with `resumeFrom` continues that checkpoint's run) and returns as soon as it has begun; the
   * run reports through events and ends with a `status` event, sent once the worker is ready for the next request.
   */
  start(datasetId: string, partial: Partial<RunConfig>, resumeFrom?: string): void {
    this.ctx.holder.beginPreparing('run');
    this.run(datasetId, partial, resumeFrom).then(
      (end) => this.ctx.emit({ type: 'status', state: end }),
      (err: unknown) => this.ctx.emit({ type: 'status', state: 'error', message: runErrorText(err) }),
    );
  }

  pause(): void {
    this.ctx.holder.pause();
  }

  resume(): void {
    this.ctx.holder.resume();
  }

  stop(): void {
    this.ctx.holder.stop();
  }

  private async run(requestedDataset: string, partial: Partial<RunConfig>, resumeFrom?: string): Promise<'done' | 'stopped'> {
    const { emit, holder } = this.ctx;
    let loop: TrainingLoop | null = null;
    let memory: RunMemoryWatch | null = null;
    let trainer: Trainer | null = null;
    try {
      emit({ type: 'status', state: 'loading' });
      const saved = resumeFrom ? await loadCheckpoint(resumeFrom) : undefined;
      if (resumeFrom && !saved) throw new Error(`no checkpoint is stored for run ${resumeFrom}; it may have been pruned`);
      // A resumed run keeps its own config and dataset.
      const config = saved ? resolveRunConfig(saved.snapshot.config) : resolveRunConfig(partial);
      const datasetId = saved ? saved.datasetId : requestedDataset;
      const missing = saved ? `the dataset this run trained on (${datasetId}) no longer exists` : `dataset ${datasetId} does not exist`;
      // Files evaluation held open would keep a replaced version of a dataset from being removed by this run's build.
      this.ctx.evals.release();
      const prepared = await prepareStudent(this.ctx, datasetId, config, missing, true);
      trainer = prepared.trainer;
      if (saved) await trainer.restore(saved.snapshot);
      const runId = saved?.runId ?? newId('run');
      /** Losses of every step so far, for checkpoints and project files. */
      const history: number[] = saved ? Array.from(saved.losses) : [];
      Object.assign(prepared.student, { history, runId });
      emitReady(emit, trainer, prepared.backend, prepared.note, runId, saved ? { step: saved.snapshot.stepsDone, losses: saved.losses.slice() } : undefined);
      const dev = await this.devCheck(trainer, datasetId);
      memory = new RunMemoryWatch(prepared.memoryPlan);
      loop = new TrainingLoop(trainer, this.callbacks(trainer, datasetId, runId, history, memory, dev));
      holder.beginTraining(loop);
      emit({ type: 'status', state: 'running' });
      const end = await loop.run((paused) => emit({ type: 'status', state: paused ? 'paused' : 'running' }));
      // A run that ended (or was stopped) is not offered for resuming; an error leaves its checkpoint resumable.
      await markFinished(runId).catch(() => undefined);
      return end;
    } finally {
      await memory?.close();
      // The student stays for evaluation and export; the files it read are released for the next run or a delete.
      trainer?.closeData();
      if (loop) holder.endTraining(loop);
      else holder.endPreparing();
    }
  }

  /**
   * The dev-set check during training (config.evalEvery): the evaluation data and BM25 index of the dataset, kept
   * between checks and built now, before the first step, when the dataset has none yet.
   */
  private async devCheck(trainer: Trainer, datasetId: string): Promise<DevCheck | undefined> {
    const { emit } = this.ctx;
    if (trainer.config.evalEvery <= 0) return undefined;
    const devNote = (text: string) => emit({ type: 'dev-eval', step: 0, mrr10: NaN, ndcg10: NaN, queries: 0, note: text });
    return this.ctx.evals.devEvaluator(datasetId, trainer.model, evalLengthsOf(trainer.config), devNote, (text) => emit({ type: 'status', state: 'loading', message: text }));
  }

  /** What the loop reports: metrics and probes to the page, checkpoints to storage, dev-set checks when asked. */
  private callbacks(trainer: Trainer, datasetId: string, runId: string, history: number[], memory: RunMemoryWatch, dev: DevCheck | undefined): LoopHooks {
    const { emit } = this.ctx;
    const onCheckpoint = async (step: number) => {
      // A checkpoint that cannot be written is reported; the run goes on.
      try {
        const started = performance.now();
        const checkpoint: Checkpoint = { runId, datasetId, status: 'running', savedAt: Date.now(), losses: Float32Array.from(history), snapshot: await trainer.snapshot() };
        await saveCheckpoint(checkpoint);
        emit({ type: 'checkpoint', step, bytes: checkpointBytes(checkpoint), seconds: (performance.now() - started) / 1000 });
      } catch (err) {
        // A checkpoint that failed with the GPU ends the run (the one before it stays); another failure does not.
        if (gpuFailure()) throw err;
        emit({ type: 'checkpoint-failed', step, message: errorMessage(err) });
      }
    };
    return {
      onMetrics: (m) => {
        history.push(...m.losses);
        const gpu = memory.stats();
        emit({ type: 'metrics', ...m, ...(gpu ? { gpu } : {}) }, [m.steps.buffer, m.losses.buffer]);
      },
      afterStep: () => memory.afterStep(),
      onProbe: (p) => emit(...probeEvent(trainer, p.step, p)),
      onCheckpoint,
      ...(dev
        ? {
            onEvaluate: async (step: number) => {
              const result = await dev(step);
              if (result) emit({ type: 'dev-eval', ...result });
            },
          }
        : {}),
    };
  }
}
