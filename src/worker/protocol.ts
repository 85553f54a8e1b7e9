/** Messages between the page and the training worker. */
import type { ProbeView } from '../eval/probe-view';
import { BACKENDS, type RunConfig, type TfBackend } from '../config/run-config';
import type { EvalPhase, EvalReport } from '../eval/rerank';
import { ProtocolError, requireEnvelope } from '../util/rpc';
import type { NamedTensor } from '../export/safetensors';
import type { ExportedWeights } from '../export/metadata';
import type { Project } from '../train/project';
import type { EvaluationRow } from '../export/hf';
import type { TryResult } from '../eval/try';
import type { ModelInfo } from '../train/models';
import type { HandoffHistory } from '../handoff/result';
import type { HandoffCounts, HandoffProgress } from '../handoff/package';
import type { RunGpuMemory } from '../train/gpu-guard';
import { NEGATIVE_SOURCES, type NegativeSource } from '../data/provenance';
import type { TeacherJobSpec, TeacherPhase, TeacherResult } from '../teacher/job';

export type { ExportedWeights };

/**
 * What each request carries besides its id and type. A new request type goes here first; its result type
 * (`TrainerResults`), the payload parsers below and the worker's handler table (handlers.ts) then do not compile until
 * each has its entry.
 */
export interface TrainerRequests {
  /** A new run, or with `resumeFrom` the run of that checkpoint, continued (its own config and dataset). */
  start: { datasetId: string; config: Partial<RunConfig>; resumeFrom?: string };
  pause: NoPayload;
  resume: NoPayload;
  stop: NoPayload;
  /** Evaluates the current student (if any), BM25, the teacher and the imported runs on a dataset's dev queries. */
  evaluate: { datasetId: string; threshold: number; depth: number; dense: boolean; teacher?: { modelId: string; maxLength: number; maxQueryTokens: number } };
  /** The current student's weights with what they mean, for the export formats. */
  export: NoPayload;
  /** The current run's whole state (a project file's content), to continue elsewhere. */
  'export-project': NoPayload;
  /** Makes imported weights (read and checked on the page) the current student, on a dataset. */
  'load-weights': { datasetId: string; tensors: NamedTensor[]; metadata: Record<string, string> };
  /** Reads a Hugging Face model folder (its files with their paths in it) and stores it in the model library. */
  'import-model': { name: string; files: { path: string; file: Blob }[] };
  /** The current student as a Hugging Face folder, zipped; the page adds what the README should say. */
  'export-hf': { teacherFiles: string[]; evaluation: EvaluationRow[] };
  /** The current student as a transformers.js folder (ONNX fp32 and int8, tokenizer.json, a README with code), zipped. */
  'export-web': { teacherFiles: string[]; evaluation: EvaluationRow[] };
  /** Ranks the dataset's passages for a typed query with the current student. */
  try: { datasetId: string; query: string };
  /** The current run as data + a sentence-transformers script, zipped, to continue on GPUs. */
  'export-handoff': { datasetId: string; from: HandoffStart; wholeCollection: boolean };
  /** Makes a library model the current student as it is (no training), to evaluate or try it. */
  'use-model': { datasetId: string; modelId: string; config: Partial<RunConfig> };
  /** Scores pairs of a dataset with library cross-encoders into a new dataset of teacher triples (resuming its unfinished job of the same spec). */
  'teacher-make': { datasetId: string; spec: TeacherJobSpec; blockPairs?: number };
  /** Stops the teacher job after the block it is scoring; what was scored stays for a resume. */
  'teacher-cancel': NoPayload;
  /** Removes a dataset's unfinished teacher job. */
  'teacher-discard': { datasetId: string };
  /** Closes the dataset files evaluation keeps open, so that a dataset can be deleted with them. */
  'release-files': NoPayload;
  /**
   * For tests: makes the WebGPU device fail as a driver reset would (`lose-device`: destroys it) or as a bad
   * allocation would (`validation-error`: an invalid buffer nobody catches), so that a browser test can check what a
   * person then sees. The page sends it only when opened with `?test-hooks` (state/test-hooks.ts).
   */
  'debug-gpu-fault': { fault: GpuFault };
}

type NoPayload = Record<never, never>;
export type RequestType = keyof TrainerRequests;
/** One request as it travels: its id, its type and that type's payload. */
export type RequestOf<K extends RequestType> = { id: number; type: K } & TrainerRequests[K];
export type TrainerRequest = { [K in RequestType]: RequestOf<K> }[RequestType];

export type GpuFault = 'lose-device' | 'validation-error';

/** Where a handoff's train.py starts: the checkpoint the run began from, or the student as trained here. */
export type HandoffStart = 'start' | 'current';

export type RunState = 'loading' | 'running' | 'paused' | 'stopped' | 'done' | 'error';
export type { TfBackend };

/** What the worker's reply to each request carries. */
export interface TrainerResults {
  start: { ok: true };
  pause: { ok: true };
  resume: { ok: true };
  stop: { ok: true };
  evaluate: EvalReport;
  export: ExportedWeights;
  'export-project': Project;
  'load-weights': { ok: true };
  /** The stored model, and the run a handoff's train.py made when the folder is its output. */
  'import-model': { info: ModelInfo; history: HandoffHistory | null };
  'export-handoff': { fileName: string; zip: Blob; counts: HandoffCounts; missingPassages: number };
  'use-model': { ok: true };
  'export-hf': { fileName: string; bytes: Uint8Array };
  'export-web': { fileName: string; bytes: Uint8Array };
  try: TryResult;
  'teacher-make': TeacherResult;
  'teacher-cancel': { ok: true };
  'teacher-discard': { ok: true };
  'release-files': { ok: true };
  /** Whether there was a WebGPU device to make fail. */
  'debug-gpu-fault': { done: boolean };
}

export type TrainerEvent =
  | { type: 'status'; state: RunState; message?: string }
  | {
      type: 'ready';
      backend: TfBackend;
      /** Why a faster backend was not used; empty when the first choice worked. */
      backendNote: string;
      config: RunConfig;
      parameterCount: number;
      trainTriples: number;
      probeTriples: number;
      /** Triples that named a query or passage missing from the dataset. */
      unresolvedTriples: number;
      teacherProbePos: Float32Array;
      teacherProbeNeg: Float32Array;
      runId: string;
      /** Set when the run continues from a checkpoint: its step and the losses up to it. */
      resumed?: { step: number; losses: Float32Array };
    }
  | { type: 'checkpoint'; step: number; bytes: number; seconds: number }
  | { type: 'checkpoint-failed'; step: number; message: string }
  | {
      type: 'metrics';
      /** Step numbers (1-based) and their losses since the previous metrics event: a delta, not the history. */
      steps: Int32Array;
      losses: Float32Array;
      epoch: number;
      stepsPerSecond: number;
      triplesPerSecond: number;
      numTensors: number;
      /** tfjs's WebGPU buffers (WebGPU only): in use, kept free, the most held after a step. */
      gpu?: RunGpuMemory;
    }
  /**
   * The student's scores on the probe set, and what the page draws of them, binned in the worker (the page's main
   * thread draws counts and never loops over the probe set). The raw scores are only kept, for the run report and
   * the comparison of finished runs.
   */
  | { type: 'probe'; step: number; studentPos: Float32Array; studentNeg: Float32Array; view: ProbeView }
  | { type: 'eval-progress'; phase: EvalPhase; done: number; total: number; rate: number }
  | { type: 'handoff-progress'; progress: HandoffProgress }
  /** A teacher job's progress: `scoring` counts pairs over all teachers; `rate` is per second in this phase. */
  | { type: 'teacher-progress'; phase: TeacherPhase; done: number; total: number; rate: number }
  /** Dev-set metrics taken during training (config.evalEvery). */
  | { type: 'dev-eval'; step: number; mrr10: number; ndcg10: number; queries: number; note: string };

type PayloadParser<K extends RequestType> = (msg: Record<string, unknown>) => TrainerRequests[K];

function datasetIdOf(type: RequestType, msg: Record<string, unknown>): string {
  if (typeof msg.datasetId !== 'string' || msg.datasetId === '') throw new ProtocolError(`${type} needs a datasetId`);
  return msg.datasetId;
}

function configOf(type: RequestType, msg: Record<string, unknown>): Partial<RunConfig> {
  const config = msg.config;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new ProtocolError(`${type} needs a config object`);
  return config as Partial<RunConfig>;
}

const noPayload = (): NoPayload => ({});

/** What an export's README says of the run (the page's teacher files and evaluation rows); absent parts are empty. */
function exportSummary(msg: Record<string, unknown>): { teacherFiles: string[]; evaluation: EvaluationRow[] } {
  const teacherFiles = Array.isArray(msg.teacherFiles) ? msg.teacherFiles.filter((f): f is string => typeof f === 'string') : [];
  const evaluation = Array.isArray(msg.evaluation) ? (msg.evaluation as EvaluationRow[]) : [];
  return { teacherFiles, evaluation };
}

/** A teacher job's spec, its shape checked (its values are checked where the job starts: teacher/job.ts). */
function teacherSpecOf(value: unknown): TeacherJobSpec {
  const v = value as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null) throw new ProtocolError('teacher-make needs a spec');
  const num = (x: unknown, field: string): number => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new ProtocolError(`teacher-make: ${field} must be a number`);
    return x;
  };
  if (typeof v.datasetId !== 'string') throw new ProtocolError('teacher-make: spec.datasetId must be a string');
  if (!Array.isArray(v.teachers)) throw new ProtocolError('teacher-make: spec.teachers must be a list');
  const teachers = v.teachers.map((t: unknown, i) => {
    const r = t as { id?: unknown; name?: unknown } | null;
    if (typeof r?.id !== 'string' || typeof r.name !== 'string') throw new ProtocolError(`teacher-make: teacher ${i} needs an id and a name`);
    return { id: r.id, name: r.name };
  });
  if (!(NEGATIVE_SOURCES as readonly unknown[]).includes(v.source)) throw new ProtocolError(`teacher-make: the negatives' source must be one of ${NEGATIVE_SOURCES.join(', ')}`);
  const n = v.negatives as Record<string, unknown> | null;
  if (typeof n !== 'object' || n === null) throw new ProtocolError('teacher-make: spec.negatives must be an object');
  const r = v.rule as { fraction?: unknown; on?: unknown } | null;
  if (r !== null && (typeof r !== 'object' || (r.on !== 'sigmoid' && r.on !== 'scores'))) throw new ProtocolError('teacher-make: the false-negative rule must be null or { fraction, on: "sigmoid" | "scores" }');
  return {
    datasetId: v.datasetId,
    teachers,
    standardise: v.standardise === true,
    source: v.source as NegativeSource,
    negatives: { fromRank: num(n.fromRank, 'fromRank'), toRank: num(n.toRank, 'toRank'), perPositive: num(n.perPositive, 'perPositive'), seed: num(n.seed, 'seed') },
    positiveGrade: num(v.positiveGrade, 'positiveGrade'),
    maxLength: num(v.maxLength, 'maxLength'),
    maxQueryTokens: num(v.maxQueryTokens, 'maxQueryTokens'),
    rule: r === null ? null : { fraction: num(r.fraction, 'rule.fraction'), on: r.on as 'sigmoid' | 'scores' },
  };
}

/** Each request type's payload, checked: one entry per type (the mapped type makes a missing one a compile error). */
const PAYLOADS: { [K in RequestType]: PayloadParser<K> } = {
  start(msg) {
    const datasetId = datasetIdOf('start', msg);
    const config = configOf('start', msg);
    const backend = config.backend;
    if (backend !== undefined && !BACKENDS.includes(backend)) throw new ProtocolError(`unknown backend ${String(backend)}`);
    if (msg.resumeFrom !== undefined && (typeof msg.resumeFrom !== 'string' || msg.resumeFrom === '')) throw new ProtocolError('start: resumeFrom must be a run id');
    return { datasetId, config, ...(msg.resumeFrom ? { resumeFrom: msg.resumeFrom } : {}) };
  },
  pause: noPayload,
  resume: noPayload,
  stop: noPayload,
  evaluate(msg) {
    const datasetId = datasetIdOf('evaluate', msg);
    if (typeof msg.threshold !== 'number' || !Number.isFinite(msg.threshold)) throw new ProtocolError('evaluate needs a numeric relevance threshold');
    if (typeof msg.depth !== 'number' || !Number.isInteger(msg.depth) || msg.depth < 1) throw new ProtocolError('evaluate needs a positive whole depth');
    let teacher: TrainerRequests['evaluate']['teacher'];
    if (msg.teacher !== undefined) {
      const t = msg.teacher as { modelId?: unknown; maxLength?: unknown; maxQueryTokens?: unknown } | null;
      if (typeof t?.modelId !== 'string' || t.modelId === '' || typeof t.maxLength !== 'number' || typeof t.maxQueryTokens !== 'number') throw new ProtocolError('evaluate: teacher needs a modelId, a maxLength and a maxQueryTokens');
      teacher = { modelId: t.modelId, maxLength: t.maxLength, maxQueryTokens: t.maxQueryTokens };
    }
    return { datasetId, threshold: msg.threshold, depth: msg.depth, dense: msg.dense === true, ...(teacher ? { teacher } : {}) };
  },
  export: noPayload,
  'export-project': noPayload,
  'load-weights'(msg) {
    const datasetId = datasetIdOf('load-weights', msg);
    if (!Array.isArray(msg.tensors)) throw new ProtocolError('load-weights needs a list of tensors');
    if (typeof msg.metadata !== 'object' || msg.metadata === null) throw new ProtocolError('load-weights needs the metadata');
    return { datasetId, tensors: msg.tensors as NamedTensor[], metadata: msg.metadata as Record<string, string> };
  },
  'import-model'(msg) {
    if (typeof msg.name !== 'string') throw new ProtocolError('import-model needs the folder name');
    if (!Array.isArray(msg.files) || msg.files.length === 0) throw new ProtocolError('import-model needs the folder files');
    const files = msg.files.map((f: unknown, i) => {
      const entry = f as { path?: unknown; file?: unknown } | null;
      if (typeof entry?.path !== 'string' || !(entry.file instanceof Blob)) throw new ProtocolError(`import-model: file ${i} needs a path and its contents`);
      return { path: entry.path, file: entry.file };
    });
    return { name: msg.name, files };
  },
  'export-hf': exportSummary,
  'export-web': exportSummary,
  try(msg) {
    const datasetId = datasetIdOf('try', msg);
    if (typeof msg.query !== 'string') throw new ProtocolError('try needs the query text');
    return { datasetId, query: msg.query };
  },
  'export-handoff'(msg) {
    const datasetId = datasetIdOf('export-handoff', msg);
    if (msg.from !== 'start' && msg.from !== 'current') throw new ProtocolError('export-handoff: from must be "start" or "current"');
    if (typeof msg.wholeCollection !== 'boolean') throw new ProtocolError('export-handoff: wholeCollection must be true or false');
    return { datasetId, from: msg.from, wholeCollection: msg.wholeCollection };
  },
  'use-model'(msg) {
    const datasetId = datasetIdOf('use-model', msg);
    if (typeof msg.modelId !== 'string' || msg.modelId === '') throw new ProtocolError('use-model needs a modelId');
    return { datasetId, modelId: msg.modelId, config: configOf('use-model', msg) };
  },
  'teacher-make'(msg) {
    const block = msg.blockPairs;
    if (block !== undefined && (typeof block !== 'number' || !Number.isInteger(block) || block < 1)) throw new ProtocolError('teacher-make: blockPairs must be a whole number of at least 1');
    return { datasetId: datasetIdOf('teacher-make', msg), spec: teacherSpecOf(msg.spec), ...(block !== undefined ? { blockPairs: block } : {}) };
  },
  'teacher-cancel': noPayload,
  'teacher-discard': (msg) => ({ datasetId: datasetIdOf('teacher-discard', msg) }),
  'release-files': noPayload,
  'debug-gpu-fault'(msg) {
    if (msg.fault !== 'lose-device' && msg.fault !== 'validation-error') throw new ProtocolError('debug-gpu-fault: fault must be "lose-device" or "validation-error"');
    return { fault: msg.fault };
  },
};

/** Every request type, in the order above (read from the table, so it cannot miss one). */
export const REQUEST_TYPES = Object.keys(PAYLOADS) as RequestType[];

function parseAs<K extends RequestType>(type: K, msg: { id: number } & Record<string, unknown>): RequestOf<K> {
  const payload: TrainerRequests[K] = PAYLOADS[type](msg);
  return { ...payload, id: msg.id, type };
}

/** A message from the page as a request: its envelope checked, then its type's payload. */
export function parseTrainerRequest(data: unknown): TrainerRequest {
  const msg = requireEnvelope(data, REQUEST_TYPES);
  // requireEnvelope has checked the type against REQUEST_TYPES; TypeScript does not see that RequestOf<K> for K
  // the union of the types is the union TrainerRequest.
  return parseAs(msg.type as RequestType, msg) as TrainerRequest;
}
