/**
 * What the training worker holds between messages: the current student (kept after its run ends so it can be
 * evaluated and exported), the running loop, and the evaluation session. No worker API here: the worker turns
 * messages into these calls and events into messages.
 */
import { getDataset } from '../data/store/catalog';
import { forEachChunk } from '../data/store/dataset-db';
import { EvalSession } from '../eval/session';
import type { EvalReport } from '../eval/rerank';
import { studentMetadata, type ExportedWeights } from '../export/metadata';
import type { NamedTensor } from '../export/safetensors';
import { loadTokenizer, tokenizerInfo, vocabularyHash } from '../text/tokenizers';
import { huggingFaceFolder, zipFolder, type EvaluationRow } from '../export/hf';
import type { TryResult } from '../eval/try';
import { importModelFolder, startFor, startOf, type ModelInfo } from './models';
import { getModelInfo, loadModel } from '../data/store/models';
import { folderPaths } from '../model/pretrained/folder';
import { isTrainingLeftover, readHandoffHistory, RESULT_FILE, TRAINER_STATE, type HandoffHistory } from '../handoff/result';
import { writeHandoff, type HandoffCounts, type HandoffModel } from '../handoff/package';
import { startFolder } from '../handoff/model-folder';
import { trainSettings } from '../handoff/mapping';
import { huggingFaceDescription } from './hf-export';
import { newId } from '../util/ids';
import { probeView } from '../eval/probe-view';
import { selectBackend } from './backend';
import { gpuFailure, failedRunMessage } from './gpu-guard';
import { planRun, RunMemoryWatch } from './run-memory';
import type { MemoryPlan } from './memory-plan';
import { checkpointBytes, loadCheckpoint, markFinished, saveCheckpoint, type Checkpoint } from './checkpoints';
import { evalLengthsOf, resolveRunConfig, type RunConfig } from './config';
import { useKernels } from '../model/kernels';
import type { Project } from './project';
import type { HandoffStart, TfBackend, TrainerEvent } from './protocol';
import { Trainer } from './trainer.core';
import { TrainingLoop } from './training-loop';
import { trainingData } from './training-data';
import type { DatasetInfo } from '../data/store/schema';

type Emit = (ev: TrainerEvent, transfer?: Transferable[]) => void;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A run's error; one that came from a failed GPU device (a read-back rejects with the bare cause, or WebGPU with a
 * DOMException) becomes that failure and what to do. Other errors stay as they are, even after a failure.
 */
function runErrorText(err: unknown): string {
  const text = errorText(err);
  const failure = gpuFailure();
  const fromGpu = failure !== null && (text === failure || (typeof DOMException !== 'undefined' && err instanceof DOMException));
  return fromGpu ? failedRunMessage(failure) : text;
}

/** What the current student is, for its row in the evaluation table beside earlier ones. */
function studentLabel(trainer: Trainer, model: string | null): string {
  const c = trainer.config;
  return `${c.arch} · ${c.loss} · ${trainer.stepsDone} steps in the browser${model ? ` from ${model}` : ''}`;
}

/** The teacher's scores on the probe set, which each probe's view (binned here, not on the page) compares with. */
function teacherScores(trainer: Trainer): { pos: Float32Array; neg: Float32Array } {
  return { pos: trainer.probeBatch.teacherPos, neg: trainer.probeBatch.teacherNeg };
}

export class TrainingSession {
  private loop: TrainingLoop | null = null;
  /** A run or a weights load is being prepared or running. */
  private busy = false;
  private evaluating = false;
  /** The student of the last run, kept after it ends so that it can be evaluated; replaced by the next run. */
  private current: { trainer: Trainer; tokenizer: string; vocab?: string[]; history: number[]; runId: string; datasetId: string; model: string | null; label?: string } | null = null;
  private readonly evals = new EvalSession();

  constructor(private readonly emit: Emit) {}

  /**
   * Starts a run (or with `resumeFrom` continues that checkpoint's run) and returns as soon as it has begun; the
   * run reports through events and ends with a `status` event.
   */
  start(datasetId: string, partial: Partial<RunConfig>, resumeFrom?: string): void {
    if (this.busy) throw new Error('a run is already in progress; stop it first');
    if (this.evaluating) throw new Error('an evaluation is running; start training when it has finished');
    this.busy = true;
    this.run(datasetId, partial, resumeFrom)
      .catch((err: unknown) => this.emit({ type: 'status', state: 'error', message: runErrorText(err) }))
      .finally(() => (this.busy = false));
  }

  pause(): void {
    this.loop?.pause();
  }

  resume(): void {
    if (this.evaluating) throw new Error('an evaluation is using the student; resume when it has finished');
    this.loop?.resume();
  }

  stop(): void {
    this.loop?.stop();
  }

  private get trainingNow(): boolean {
    return this.loop !== null && !this.loop.isPaused;
  }

  /**
   * A student for `config` on a dataset, made the current one, reading the dataset through `trainingData`. With
   * `plan`, the run's memory plan is checked first (it throws when the run cannot fit) and returned.
   */
  private async prepareTrainer(datasetId: string, config: RunConfig, missing: string, plan = false) {
    const info = await getDataset(datasetId);
    if (!info) throw new Error(missing);
    if (info.counts.passages === 0 || info.counts.queries === 0 || info.counts.triples === 0) throw new Error(`dataset "${info.name}" needs passages, queries and teacher triples to train`);
    const pretrained = await startFor(config, info);
    const { backend, note } = await selectBackend(config.backend);
    const tokenizer = await tokenizerInfo(info.tokenizer, info.vocab);
    const memoryPlan = plan ? planRun(config, tokenizer, pretrained?.start, backend) : null;
    const data = await trainingData(info, config, (text) => this.emit({ type: 'status', state: 'loading', message: text }));
    this.current?.trainer.dispose();
    this.current = null;
    let trainer: Trainer;
    try {
      trainer = new Trainer(data, config, tokenizer, pretrained?.start);
    } catch (err) {
      data.close();
      throw err;
    }
    this.current = { trainer, tokenizer: info.tokenizer, ...(info.vocab ? { vocab: info.vocab } : {}), history: [], runId: '', datasetId, model: pretrained?.model.name ?? null };
    return { info, trainer, backend, note, memoryPlan };
  }

  private emitReady(trainer: Trainer, backend: TfBackend, note: string, runId: string, resumed?: { step: number; losses: Float32Array }): void {
    const teacherProbePos = trainer.probeBatch.teacherPos.slice();
    const teacherProbeNeg = trainer.probeBatch.teacherNeg.slice();
    this.emit(
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

  private async run(requestedDataset: string, partial: Partial<RunConfig>, resumeFrom?: string): Promise<void> {
    const { emit } = this;
    emit({ type: 'status', state: 'loading' });
    const saved = resumeFrom ? await loadCheckpoint(resumeFrom) : undefined;
    if (resumeFrom && !saved) throw new Error(`no checkpoint is stored for run ${resumeFrom}; it may have been pruned`);
    // A resumed run keeps its own config and dataset.
    const config = saved ? resolveRunConfig(saved.snapshot.config) : resolveRunConfig(partial);
    const datasetId = saved ? saved.datasetId : requestedDataset;
    const missing = saved ? `the dataset this run trained on (${datasetId}) no longer exists` : `dataset ${datasetId} does not exist`;
    // Files evaluation held open would keep a replaced version of a dataset from being removed by this run's build.
    this.evals.release();
    const { info, trainer, backend, note, memoryPlan } = await this.prepareTrainer(datasetId, config, missing, true);
    try {
      await this.train(info, trainer, backend, note, config, saved, memoryPlan);
    } finally {
      // The student stays for evaluation and export; the files it read are released for the next run or a delete.
      trainer.closeData();
    }
  }

  private async train(info: DatasetInfo, trainer: Trainer, backend: TfBackend, note: string, config: RunConfig, saved: Checkpoint | undefined, plan: MemoryPlan | null): Promise<void> {
    const { emit } = this;
    const datasetId = info.id;
    if (saved) await trainer.restore(saved.snapshot);
    const runId = saved?.runId ?? newId('run');
    /** Losses of every step so far, for checkpoints and project files. */
    const history: number[] = saved ? Array.from(saved.losses) : [];
    if (this.current) Object.assign(this.current, { history, runId });
    this.emitReady(trainer, backend, note, runId, saved ? { step: saved.snapshot.stepsDone, losses: saved.losses.slice() } : undefined);
    const devNote = (text: string) => emit({ type: 'dev-eval', step: 0, mrr10: NaN, ndcg10: NaN, queries: 0, note: text });
    const dev = config.evalEvery > 0 ? await this.devEvaluator(info, trainer, config, devNote) : undefined;
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
        emit({ type: 'checkpoint-failed', step, message: errorText(err) });
      }
    };
    const memory = new RunMemoryWatch(plan);
    this.loop = new TrainingLoop(trainer, {
      onMetrics: (m) => {
        history.push(...m.losses);
        const gpu = memory.stats();
        emit({ type: 'metrics', ...m, ...(gpu ? { gpu } : {}) }, [m.steps.buffer, m.losses.buffer]);
      },
      afterStep: () => memory.afterStep(),
      onProbe: (p) => emit({ type: 'probe', step: p.step, studentPos: p.pos, studentNeg: p.neg, view: probeView(teacherScores(trainer), p) }, [p.pos.buffer, p.neg.buffer]),
      onCheckpoint,
      ...(dev
        ? {
            onEvaluate: async (step: number) => {
              const result = await dev(step);
              if (result) emit({ type: 'dev-eval', ...result });
            },
          }
        : {}),
    });
    emit({ type: 'status', state: 'running' });
    try {
      const end = await this.loop.run((paused) => emit({ type: 'status', state: paused ? 'paused' : 'running' }));
      // A run that ended (or was stopped) is not offered for resuming; an error leaves its checkpoint resumable.
      await markFinished(runId).catch(() => undefined);
      emit({ type: 'status', state: end });
    } finally {
      this.loop = null;
      await memory.close();
    }
  }

  /** The dev-set check during training: the evaluation data and BM25 index of the dataset, kept between checks. */
  private async devEvaluator(info: DatasetInfo, trainer: Trainer, config: RunConfig, onNote: (text: string) => void) {
    return this.evals.devEvaluator(info.id, trainer.model, evalLengthsOf(config), onNote, (text) => this.emit({ type: 'status', state: 'loading', message: text }));
  }

  /** Closes the dataset files evaluation holds open (before the dataset is deleted). */
  releaseFiles(): void {
    this.evals.release();
  }

  async evaluate(datasetId: string, options: { threshold: number; depth: number; dense: boolean }): Promise<EvalReport> {
    if (this.evaluating) throw new Error('an evaluation is already running');
    if (this.current && this.trainingNow) throw new Error('training is running: pause or stop it to evaluate');
    this.evaluating = true;
    try {
      const info = await getDataset(datasetId);
      const current = this.current;
      // The student is evaluated with the kernels its run chose.
      if (current) useKernels(current.trainer.config.kernels);
      const student =
        !current
          ? { none: 'no student has been trained since the page was opened' }
          : info && current.tokenizer !== info.tokenizer
            ? { none: `the student was trained on ${current.tokenizer} tokens, this dataset has ${info.tokenizer}` }
            : { model: current.trainer.model, lengths: evalLengthsOf(current.trainer.config), arch: current.trainer.config.arch, weightsKey: `${current.runId}@${current.trainer.stepsDone}` };
      const report = await this.evals.evaluate(datasetId, options, student, (phase, done, total, rate) => this.emit({ type: 'eval-progress', phase, done, total, rate }));
      if (current) report.studentLabel = current.label ?? studentLabel(current.trainer, current.model);
      return report;
    } finally {
      this.evaluating = false;
    }
  }

  /** Makes imported weights (read and checked on the page) the current student on a dataset; scores the probe set. */
  async loadWeights(datasetId: string, weights: { tensors: NamedTensor[]; metadata: Record<string, string> }): Promise<void> {
    if (this.busy || this.evaluating) throw new Error(this.busy ? 'a run is in progress; stop it before loading weights' : 'an evaluation is running; load weights when it has finished');
    this.busy = true;
    try {
      await this.loadWeightsNow(datasetId, weights);
    } catch (err) {
      this.emit({ type: 'status', state: 'error', message: errorText(err) });
      throw err;
    } finally {
      this.busy = false;
    }
  }

  private async loadWeightsNow(datasetId: string, { tensors, metadata }: { tensors: NamedTensor[]; metadata: Record<string, string> }): Promise<void> {
    this.emit({ type: 'status', state: 'loading' });
    let config: RunConfig;
    try {
      config = resolveRunConfig(JSON.parse(metadata.run ?? '') as Partial<RunConfig>);
    } catch (err) {
      throw new Error(`the run config in the file's metadata is not valid: ${errorText(err)}`);
    }
    const info = await getDataset(datasetId);
    if (info && metadata.tokenizer !== info.tokenizer) throw new Error(`these weights were trained on ${metadata.tokenizer} tokens, but the active dataset "${info.name}" has ${info.tokenizer}; load them with a dataset tokenized the same way`);
    const { trainer, backend, note } = await this.prepareTrainer(datasetId, config, `dataset ${datasetId} does not exist`);
    try {
      trainer.loadWeights(tensors);
    } catch (err) {
      trainer.dispose();
      this.current = null;
      throw err;
    }
    trainer.stepsDone = Number(metadata.steps) || 0;
    const runId = newId('imported');
    if (this.current) this.current.runId = runId;
    this.emitReady(trainer, backend, note, runId);
    const s = await trainer.probe();
    // Loaded weights are evaluated, not trained further: the files are not needed past the probe set.
    trainer.closeData();
    this.emit({ type: 'probe', step: trainer.stepsDone, studentPos: s.pos, studentNeg: s.neg, view: probeView(teacherScores(trainer), s) }, [s.pos.buffer, s.neg.buffer]);
    this.emit({ type: 'status', state: 'done', message: 'weights loaded from a file' });
  }

  /**
   * Reads a chosen model folder in this worker and stores it in the model library. A folder a handoff's train.py
   * wrote brings its run too (trainer_state.json, margin_studio.json); its checkpoints and optimizer states are
   * skipped unread.
   */
  async importModel(files: readonly { path: string; file: Blob }[], name: string): Promise<{ info: ModelInfo; history: HandoffHistory | null }> {
    if (this.trainingNow) throw new Error('training is running: pause or stop it to import a model');
    // The files stay Blobs: only configs and headers are read whole, the weights tensor by tensor as they are stored.
    const wanted = folderPaths(files.filter((f) => !isTrainingLeftover(f.path)));
    const parsed = async (file: string): Promise<unknown> => {
      const found = wanted.find((f) => f.path === file);
      if (!found) return undefined;
      try {
        return JSON.parse(await found.file.text()) as unknown;
      } catch (err) {
        throw new Error(`${file}: not valid JSON (${errorText(err)})`);
      }
    };
    // Checked before anything is stored: a malformed run refuses the whole folder.
    const history = readHandoffHistory(await parsed(TRAINER_STATE), await parsed(RESULT_FILE));
    const info = await importModelFolder(wanted, name);
    return { info, history };
  }

  /** Makes a library model the current student as it is, on a dataset: evaluate or try it without training. */
  async useModel(datasetId: string, modelId: string, partial: Partial<RunConfig>): Promise<void> {
    if (this.busy || this.evaluating) throw new Error(this.busy ? 'a run is in progress; stop it first' : 'an evaluation is running; wait until it has finished');
    this.busy = true;
    try {
      this.emit({ type: 'status', state: 'loading' });
      // The list entry is enough here; the weights are read once, by prepareTrainer's startFor.
      const stored = await getModelInfo(modelId);
      if (!stored) throw new Error(`model ${modelId} is no longer in the model library`);
      const arch = stored.kind === 'cross-encoder' ? 'cat' : 'dot';
      const config = resolveRunConfig({ ...partial, arch, start: modelId, pooling: stored.pooling, denseDim: 0 });
      const { trainer, backend, note } = await this.prepareTrainer(datasetId, config, `dataset ${datasetId} does not exist`);
      const runId = newId('model');
      if (this.current) Object.assign(this.current, { runId, label: `${stored.name} (as imported)` });
      this.emitReady(trainer, backend, note, runId);
      const s = await trainer.probe();
      // Evaluated and tried, not trained: the training files are not needed past the probe set.
      trainer.closeData();
      this.emit({ type: 'probe', step: 0, studentPos: s.pos, studentNeg: s.neg, view: probeView(teacherScores(trainer), s) }, [s.pos.buffer, s.neg.buffer]);
      this.emit({ type: 'status', state: 'done', message: `${stored.name} is the student, as imported (no training)` });
    } catch (err) {
      this.emit({ type: 'status', state: 'error', message: errorText(err) });
      throw err;
    } finally {
      this.busy = false;
    }
  }

  /**
   * The current run handed off: the dataset's data as plain files, the model to continue from, train.py and its
   * settings, in one zip streamed to a Blob (the browser keeps a large one on disk).
   */
  async exportHandoff(datasetId: string, from: HandoffStart, wholeCollection: boolean): Promise<{ fileName: string; zip: Blob; counts: HandoffCounts; missingPassages: number }> {
    if (!this.current) throw new Error('no run has been trained since the page was opened: train the run to hand off (a few steps are enough), then export it');
    if (this.trainingNow) throw new Error('training is running: pause or stop it to hand the run off');
    const info = await getDataset(datasetId);
    if (!info) throw new Error(`dataset ${datasetId} does not exist`);
    if (info.status !== 'ready') throw new Error(`dataset "${info.name}" is still being imported`);
    const { trainer, model: modelName } = this.current;
    const config = trainer.config;
    // Refused runs stop here, before any weight is read back from the GPU.
    trainSettings(config, 0);
    const summary = { baseModel: modelName, teacherFiles: (info.files ?? []).filter((f) => f.layout.startsWith('teacher')).map((f) => f.name), loss: config.loss, steps: trainer.stepsDone, learningRate: config.learningRate, evaluation: [] };
    let model: HandoffModel;
    if (from === 'current') {
      const files = huggingFaceFolder(await huggingFaceDescription(trainer.model), summary);
      model = { name: `${config.arch} student after ${trainer.stepsDone} steps from ${modelName ?? 'scratch'}`, source: 'current', files, addDense: 0 };
    } else {
      const stored = await loadModel(config.start);
      if (!stored) throw new Error(`the run started from model ${config.start}, which is no longer in the model library; hand off the student as trained instead`);
      model = { name: stored.name, source: 'start', ...startFolder(startOf(stored), config, { ...summary, steps: 0 }) };
    }
    const result = await writeHandoff({
      dataset: info,
      config,
      stepsInBrowser: trainer.stepsDone,
      model,
      wholeCollection,
      read: (table, visit) => forEachChunk(datasetId, table, visit),
      progress: (progress) => this.emit({ type: 'handoff-progress', progress }),
    });
    return { fileName: result.fileName, zip: result.zip, counts: result.counts, missingPassages: result.missingPassages };
  }

  /** The student as a Hugging Face folder in a zip, with a README saying how it was trained. */
  async exportHuggingFace(summary: { teacherFiles: string[]; evaluation: EvaluationRow[] }): Promise<{ fileName: string; bytes: Uint8Array }> {
    if (!this.current) throw new Error('no student has been trained since the page was opened');
    if (this.trainingNow) throw new Error('training is running: pause or stop it to export');
    const { trainer, model } = this.current;
    const c = trainer.config;
    const description = await huggingFaceDescription(trainer.model);
    const files = huggingFaceFolder(description, {
      baseModel: model,
      teacherFiles: summary.teacherFiles,
      loss: c.loss,
      steps: trainer.stepsDone,
      learningRate: c.learningRate,
      batchSize: c.batchSize,
      queryLength: c.queryLength,
      passageLength: c.passageLength,
      evaluation: summary.evaluation,
      date: new Date().toISOString().slice(0, 10),
    });
    const stem = `${c.arch}-${(model ?? 'student').replace(/[^\w.-]+/g, '_')}-step${trainer.stepsDone}`;
    return { fileName: `${stem}.zip`, bytes: zipFolder(files, stem) };
  }

  /** Ranks the active dataset's passages for a typed query with the current student. */
  async tryQuery(datasetId: string, text: string): Promise<TryResult> {
    if (!this.current) throw new Error('no student has been trained or loaded since the page was opened');
    if (this.trainingNow) throw new Error('training is running: pause or stop it to try the student');
    if (this.evaluating) throw new Error('an evaluation is running; try the student when it has finished');
    const info = await getDataset(datasetId);
    if (!info) throw new Error(`dataset ${datasetId} does not exist`);
    const { trainer, tokenizer, runId } = this.current;
    if (tokenizer !== info.tokenizer) throw new Error(`the student reads ${tokenizer} tokens, the dataset "${info.name}" has ${info.tokenizer}`);
    const textTokenizer = await loadTokenizer(info.tokenizer, info.vocab);
    this.evaluating = true;
    useKernels(trainer.config.kernels);
    try {
      return await this.evals.tryQuery(
        datasetId,
        text,
        { model: trainer.model, lengths: evalLengthsOf(trainer.config), weightsKey: `${runId}@${trainer.stepsDone}`, arch: trainer.config.arch },
        (t) => textTokenizer.tokenize(t),
        (phase, done, total, rate) => this.emit({ type: 'eval-progress', phase, done, total, rate }),
      );
    } finally {
      this.evaluating = false;
    }
  }

  /** The current run's whole state, for a project file. */
  async exportProject(): Promise<Project> {
    if (!this.current) throw new Error('no run has been trained since the page was opened');
    if (this.trainingNow) throw new Error('training is running: pause or stop it to save the project');
    const { trainer, tokenizer, history } = this.current;
    if (trainer.stepsDone !== history.length) throw new Error('this student was loaded from a weights file, without its training state; a project file needs a run trained in this browser');
    return { snapshot: await trainer.snapshot(), losses: Float32Array.from(history), tokenizer };
  }

  /** The current student's weights, read back from the device, with what they mean. */
  async exportWeights(): Promise<ExportedWeights> {
    if (!this.current) throw new Error('no student has been trained since the page was opened');
    if (this.trainingNow) throw new Error('training is running: pause or stop it to export');
    const { trainer, tokenizer, vocab } = this.current;
    const tensors: NamedTensor[] = [];
    // GPU→CPU sync: once per weight, only when exporting.
    for (const [name, v] of trainer.model.params.vars) tensors.push({ name, dtype: 'F32', shape: v.shape.slice(), data: Float32Array.from(await v.data()) });
    const metadata = studentMetadata({
      arch: trainer.config.arch,
      dimensions: trainer.model.config,
      tokenizer,
      vocabulary: await vocabularyHash(tokenizer, vocab),
      parameters: trainer.model.parameterCount(),
      steps: trainer.stepsDone,
      run: trainer.config,
    });
    return { tensors, metadata };
  }
}
