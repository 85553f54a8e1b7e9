/// <reference lib="webworker" />
/** Message dispatch only; the training work is in trainer.core.ts. */
import * as tf from '../model/tf';
import { getDataset } from '../data/store/catalog';
import { readTable } from '../data/store/dataset-db';
import { rowIndex } from '../data/store/columns';
import { errorMessage, idOf, type Reply } from '../util/rpc';
import { selectBackend } from './backend';
import { resolveRunConfig, type RunConfig } from './config';
import { checkpointBytes, loadCheckpoint, markFinished, saveCheckpoint, type Checkpoint } from './checkpoints';
import { parseTrainerRequest, type ExportedWeights, type TfBackend, type TrainerEvent, type TrainerResult } from './protocol';
import { Trainer, TrainingLoop } from './trainer.core';
import { tokenizerInfo, vocabularyHash } from '../text/tokenizers';
import { studentConfig } from '../model/students/sizes';
import type { NamedTensor } from '../export/safetensors';
import type { Project } from '../export/project';
import { DotStudent } from '../model/students/dot';
import { BM25_DEPTH, bm25IndexOf, denseMetrics, devQueries, evaluateReranking, type EvalPhase, type EvalReport, type Scorer } from '../eval/rerank';
import { encodeRows, searchTopK } from '../eval/retrieval';
import type { Bm25Index } from '../eval/bm25';
import type { TextColumns, TripleColumns } from '../data/store/schema';
import { scorePairs } from '../eval/score';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let loop: TrainingLoop | null = null;
let busy = false;
/** The student of the last run, kept after it ends so that it can be evaluated; replaced by the next run. */
let current: { trainer: Trainer; tokenizer: string; vocab?: string[]; history: number[] } | null = null;
let evaluating = false;
/** BM25 index of the last dataset evaluated, kept while the dataset is unchanged. */
let bm25Cache: { key: string; index: Bm25Index } | null = null;

function reply(msg: Reply<TrainerResult>): void {
  scope.postMessage(msg);
}

function emit(ev: TrainerEvent, transfer: Transferable[] = []): void {
  scope.postMessage(ev, transfer);
}

/** A student for `config` on a dataset, made the current one; the dataset's tables come along. */
async function prepareTrainer(datasetId: string, config: RunConfig, missing: string) {
  const info = await getDataset(datasetId);
  if (!info) throw new Error(missing);
  const [passages, queries, triples] = await Promise.all([readTable(datasetId, 'passages'), readTable(datasetId, 'queries'), readTable(datasetId, 'triples')]);
  if (!passages || !queries || !triples) throw new Error(`dataset "${info.name}" needs passages, queries and teacher triples to train`);
  const { backend, note } = await selectBackend(config.backend);
  current?.trainer.dispose();
  current = null;
  const trainer = new Trainer({ passages, queries, triples }, config, await tokenizerInfo(info.tokenizer, info.vocab));
  current = { trainer, tokenizer: info.tokenizer, ...(info.vocab ? { vocab: info.vocab } : {}), history: [] };
  return { info, trainer, passages, queries, triples, backend, note };
}

function emitReady(trainer: Trainer, backend: TfBackend, note: string, runId: string, resumed?: { step: number; losses: Float32Array }): void {
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
      unresolvedTriples: trainer.triples.unresolved,
      teacherProbePos,
      teacherProbeNeg,
      runId,
      ...(resumed ? { resumed } : {}),
    },
    [teacherProbePos.buffer, teacherProbeNeg.buffer, ...(resumed ? [resumed.losses.buffer] : [])],
  );
}

async function start(requestedDataset: string, partial: Partial<RunConfig>, resumeFrom?: string): Promise<void> {
  emit({ type: 'status', state: 'loading' });
  const saved = resumeFrom ? await loadCheckpoint(resumeFrom) : undefined;
  if (resumeFrom && !saved) throw new Error(`no checkpoint is stored for run ${resumeFrom}; it may have been pruned`);
  // A resumed run keeps its own config and dataset.
  const config = saved ? resolveRunConfig(saved.snapshot.config) : resolveRunConfig(partial);
  const datasetId = saved ? saved.datasetId : requestedDataset;
  const missing = saved ? `the dataset this run trained on (${datasetId}) no longer exists` : `dataset ${datasetId} does not exist`;
  const { info, trainer, passages, queries, triples, backend, note } = await prepareTrainer(datasetId, config, missing);
  if (saved) await trainer.restore(saved.snapshot);
  const runId = saved?.runId ?? `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  /** Losses of every step so far, for checkpoints and project files. */
  const history: number[] = saved ? Array.from(saved.losses) : [];
  if (current) current.history = history;
  emitReady(trainer, backend, note, runId, saved ? { step: saved.snapshot.stepsDone, losses: saved.losses.slice() } : undefined);
  const onEvaluate = config.evalEvery > 0 ? await devEvaluator(datasetId, info.updatedAt, passages, queries, triples, trainer) : undefined;
  const onCheckpoint = async (step: number) => {
    // A checkpoint that cannot be written is reported; the run goes on.
    try {
      const started = performance.now();
      const checkpoint: Checkpoint = { runId, datasetId, status: 'running', savedAt: Date.now(), losses: Float32Array.from(history), snapshot: await trainer.snapshot() };
      await saveCheckpoint(checkpoint);
      emit({ type: 'checkpoint', step, bytes: checkpointBytes(checkpoint), seconds: (performance.now() - started) / 1000 });
    } catch (err) {
      emit({ type: 'checkpoint-failed', step, message: errorMessage(err) });
    }
  };
  loop = new TrainingLoop(trainer, {
    onMetrics: (m) => {
      history.push(...m.losses);
      emit({ type: 'metrics', ...m }, [m.steps.buffer, m.losses.buffer]);
    },
    onProbe: (p) => emit({ type: 'probe', step: p.step, studentPos: p.pos, studentNeg: p.neg }, [p.pos.buffer, p.neg.buffer]),
    onCheckpoint,
    ...(onEvaluate ? { onEvaluate } : {}),
  });
  emit({ type: 'status', state: 'running' });
  try {
    const end = await loop.run((paused) => emit({ type: 'status', state: paused ? 'paused' : 'running' }));
    // A run that ended (or was stopped) is not offered for resuming; an error leaves its checkpoint resumable.
    await markFinished(runId).catch(() => undefined);
    emit({ type: 'status', state: end });
  } finally {
    loop = null;
  }
}

/** The BM25 index of one version of a dataset, built once and reused until the dataset changes. */
function bm25For(datasetId: string, version: number, passages: TextColumns, onProgress?: (done: number, total: number) => void): { index: Bm25Index; seconds: number } {
  const key = `${datasetId}@${version}`;
  if (bm25Cache?.key === key) return { index: bm25Cache.index, seconds: 0 };
  bm25Cache = null;
  const started = performance.now();
  bm25Cache = { key, index: bm25IndexOf(passages, onProgress) };
  return { index: bm25Cache.index, seconds: (performance.now() - started) / 1000 };
}

/** Scores (query, passage) rows of these tables with the trainer's student. */
function studentScorer(trainer: Trainer, tables: { queries: TextColumns; passages: TextColumns }): Scorer {
  return (q, p, onProgress) => scorePairs(trainer.model, tables, q, p, trainer.config, onProgress);
}

/**
 * The periodic dev-set check during training: the student re-ranks the dataset's candidates for its dev queries
 * (the first run, or BM25's top 100). Datasets without qrels get a note once instead.
 */
async function devEvaluator(
  datasetId: string,
  version: number,
  passages: TextColumns,
  queries: TextColumns,
  triples: TripleColumns,
  trainer: Trainer,
): Promise<((step: number) => Promise<void>) | undefined> {
  const [qrels, candidates, info] = await Promise.all([readTable(datasetId, 'qrels'), readTable(datasetId, 'candidates'), getDataset(datasetId)]);
  const note = (text: string) => emit({ type: 'dev-eval', step: 0, mrr10: NaN, ndcg10: NaN, queries: 0, note: text });
  if (!qrels) {
    note('this dataset has no qrels, so there is nothing to evaluate during training');
    return undefined;
  }
  if (devQueries({ queries, qrels }, 1).length === 0) {
    note('no query with a relevant passage in the qrels has its text in this dataset, so there is nothing to evaluate during training');
    return undefined;
  }
  const { index } = bm25For(datasetId, version, passages);
  const tables = { passages, queries, qrels, candidates, triples, runs: info?.runs ?? [] };
  const scorer = studentScorer(trainer, { queries, passages });
  return async (step) => {
    // A failed check must not end the training run: it is reported beside the chart instead.
    try {
      const report = await evaluateReranking(tables, { threshold: 1, depth: 100 }, scorer, () => undefined, index);
      const row = report.rows.find((r) => r.system === 'student');
      if (row) emit({ type: 'dev-eval', step, mrr10: row.mrr10, ndcg10: row.ndcg10, queries: row.queries, note: `re-ranking ${report.candidates}, top 100` });
    } catch (err) {
      note(`the dev evaluation at step ${step} failed: ${errorMessage(err)}`);
    }
  };
}

async function evaluate(datasetId: string, threshold: number, depth: number, dense: boolean): Promise<EvalReport> {
  const info = await getDataset(datasetId);
  if (!info) throw new Error(`dataset ${datasetId} does not exist`);
  const [passages, queries, qrels, candidates, triples] = await Promise.all([
    readTable(datasetId, 'passages'),
    readTable(datasetId, 'queries'),
    readTable(datasetId, 'qrels'),
    readTable(datasetId, 'candidates'),
    readTable(datasetId, 'triples'),
  ]);
  if (!passages || !queries || !qrels) throw new Error(`dataset "${info.name}" needs passages, queries and qrels to be evaluated`);
  let scorer: Scorer | null = null;
  let studentNote = 'no student has been trained since the page was opened';
  if (current && loop && !loop.isPaused) throw new Error('training is running: pause or stop it to evaluate');
  if (current && current.tokenizer !== info.tokenizer) studentNote = `the student was trained on ${current.tokenizer} tokens, this dataset has ${info.tokenizer}`;
  else if (current) scorer = studentScorer(current.trainer, { queries, passages });
  const started = performance.now();
  const progress = (phase: EvalPhase, done: number, total: number) => {
    const seconds = (performance.now() - started) / 1000;
    emit({ type: 'eval-progress', phase, done, total, rate: seconds > 0 ? done / seconds : 0 });
  };
  const bm25 = bm25For(datasetId, info.updatedAt, passages, (d, n) => progress('indexing', d, n));
  const report = await evaluateReranking({ passages, queries, qrels, candidates, triples, runs: info.runs ?? [] }, { threshold, depth }, scorer, progress, bm25.index, studentNote);
  report.bm25IndexSeconds = bm25.seconds;
  if (dense && scorer && current && !(current.trainer.model instanceof DotStudent)) {
    report.denseNote = `dense retrieval needs the dot student; this one is ${current.trainer.config.arch}, which scores pairs only`;
  } else if (dense && scorer && current && current.trainer.model instanceof DotStudent) {
    const { config } = current.trainer;
    const model = current.trainer.model;
    const all = Int32Array.from({ length: passages.id.length }, (_, i) => i);
    const t0 = performance.now();
    const vectors = await encodeRows(model, passages, all, config.passageLength, (d, n) => progress('encoding', d, n));
    const encodeSeconds = (performance.now() - t0) / 1000;
    const dev = devQueries({ queries, qrels }, threshold);
    const qRow = rowIndex(queries.id);
    const queryVectors = await encodeRows(model, queries, Int32Array.from(dev, (q) => qRow.get(q) as number), config.queryLength);
    const t1 = performance.now();
    progress('searching', 0, 1);
    const hits = await searchTopK(queryVectors, vectors, model.config.hidden, BM25_DEPTH);
    const searchSeconds = (performance.now() - t1) / 1000;
    report.dense = { ...denseMetrics({ passages, qrels }, dev, hits, threshold), passages: all.length, encodeSeconds, searchSeconds };
  }
  return report;
}

/** Makes imported weights the current student, on a dataset tokenized as they were trained; scores the probe set. */
async function loadWeights(datasetId: string, weights: ExportedWeights): Promise<void> {
  emit({ type: 'status', state: 'loading' });
  const { metadata } = weights;
  let config: RunConfig;
  try {
    config = resolveRunConfig(JSON.parse(metadata.run ?? '') as Partial<RunConfig>);
  } catch (err) {
    throw new Error(`the run config in the file's metadata is not valid: ${errorMessage(err)}`);
  }
  const info = await getDataset(datasetId);
  if (info && metadata.tokenizer !== info.tokenizer) throw new Error(`these weights were trained on ${metadata.tokenizer} tokens, but the active dataset "${info.name}" has ${info.tokenizer}; load them with a dataset tokenized the same way`);
  const { trainer, backend, note } = await prepareTrainer(datasetId, config, `dataset ${datasetId} does not exist`);
  try {
    trainer.loadWeights(weights.tensors);
  } catch (err) {
    trainer.dispose();
    current = null;
    throw err;
  }
  trainer.stepsDone = Number(metadata.steps) || 0;
  emitReady(trainer, backend, note, `imported-${Date.now().toString(36)}`);
  const s = await trainer.probe();
  emit({ type: 'probe', step: trainer.stepsDone, studentPos: s.pos, studentNeg: s.neg }, [s.pos.buffer, s.neg.buffer]);
  emit({ type: 'status', state: 'done', message: 'weights loaded from a file' });
}

/** The current run's whole state, for a project file. */
async function exportProject(): Promise<Project> {
  if (!current) throw new Error('no run has been trained since the page was opened');
  if (loop && !loop.isPaused) throw new Error('training is running: pause or stop it to save the project');
  const { trainer, tokenizer, history } = current;
  if (trainer.stepsDone !== history.length) throw new Error('this student was loaded from a weights file, without its training state; a project file needs a run trained in this browser');
  return { snapshot: await trainer.snapshot(), losses: Float32Array.from(history), tokenizer, weightNames: [...trainer.model.params.vars.keys()] };
}

/** The current student's weights, read back from the device, with what they mean. */
async function exportWeights(): Promise<ExportedWeights> {
  if (!current) throw new Error('no student has been trained since the page was opened');
  if (loop && !loop.isPaused) throw new Error('training is running: pause or stop it to export');
  const { trainer, tokenizer, vocab } = current;
  const tensors: NamedTensor[] = [];
  for (const [name, v] of trainer.model.params.vars) tensors.push({ name, dtype: 'F32', shape: v.shape.slice(), data: Float32Array.from(await v.data()) });
  const info = await tokenizerInfo(tokenizer, vocab);
  const metadata = {
    format: 'margin-studio-student-v1',
    arch: trainer.config.arch,
    dimensions: JSON.stringify(studentConfig(trainer.config, info)),
    tokenizer,
    vocabulary: await vocabularyHash(tokenizer, vocab),
    parameters: String(trainer.model.parameterCount()),
    steps: String(trainer.stepsDone),
    run: JSON.stringify(trainer.config),
  };
  return { tensors, metadata };
}

scope.addEventListener('message', (ev: MessageEvent) => {
  let req;
  try {
    req = parseTrainerRequest(ev.data);
  } catch (err) {
    reply({ type: 'error', id: idOf(ev.data), message: errorMessage(err) });
    return;
  }
  switch (req.type) {
    case 'start': {
      if (busy) {
        reply({ type: 'error', id: req.id, message: 'a run is already in progress; stop it first' });
        return;
      }
      if (evaluating) {
        reply({ type: 'error', id: req.id, message: 'an evaluation is running; start training when it has finished' });
        return;
      }
      busy = true;
      reply({ type: 'result', id: req.id, payload: { ok: true } });
      start(req.datasetId, req.config, req.resumeFrom)
        .catch((err: unknown) => emit({ type: 'status', state: 'error', message: errorMessage(err) }))
        .finally(() => (busy = false));
      return;
    }
    case 'pause':
      loop?.pause();
      reply({ type: 'result', id: req.id, payload: { ok: true } });
      return;
    case 'resume':
      if (evaluating) {
        reply({ type: 'error', id: req.id, message: 'an evaluation is using the student; resume when it has finished' });
        return;
      }
      loop?.resume();
      reply({ type: 'result', id: req.id, payload: { ok: true } });
      return;
    case 'stop':
      loop?.stop();
      reply({ type: 'result', id: req.id, payload: { ok: true } });
      return;
    case 'evaluate': {
      if (evaluating) {
        reply({ type: 'error', id: req.id, message: 'an evaluation is already running' });
        return;
      }
      evaluating = true;
      const id = req.id;
      evaluate(req.datasetId, req.threshold, req.depth, req.dense)
        .then((payload) => reply({ type: 'result', id, payload }))
        .catch((err: unknown) => reply({ type: 'error', id, message: errorMessage(err) }))
        .finally(() => (evaluating = false));
      return;
    }
    case 'load-weights': {
      if (busy || evaluating) {
        reply({ type: 'error', id: req.id, message: busy ? 'a run is in progress; stop it before loading weights' : 'an evaluation is running; load weights when it has finished' });
        return;
      }
      busy = true;
      const id = req.id;
      loadWeights(req.datasetId, { tensors: req.tensors, metadata: req.metadata })
        .then(() => reply({ type: 'result', id, payload: { ok: true } }))
        .catch((err: unknown) => {
          emit({ type: 'status', state: 'error', message: errorMessage(err) });
          reply({ type: 'error', id, message: errorMessage(err) });
        })
        .finally(() => (busy = false));
      return;
    }
    case 'export-project': {
      const id = req.id;
      exportProject()
        .then((payload) => reply({ type: 'result', id, payload }))
        .catch((err: unknown) => reply({ type: 'error', id, message: errorMessage(err) }));
      return;
    }
    case 'export': {
      const id = req.id;
      exportWeights()
        .then((payload) => scope.postMessage({ type: 'result', id, payload } satisfies Reply<TrainerResult>, payload.tensors.map((t) => t.data.buffer as ArrayBuffer)))
        .catch((err: unknown) => reply({ type: 'error', id, message: errorMessage(err) }));
      return;
    }
    case 'memory': {
      const m = tf.memory();
      reply({ type: 'result', id: req.id, payload: { numTensors: m.numTensors, numBytes: m.numBytes } });
      return;
    }
    default: {
      const unreachable: never = req;
      throw new Error(`unhandled request ${JSON.stringify(unreachable)}`);
    }
  }
});
