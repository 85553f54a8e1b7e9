/**
 * The worker's requests as a table: one entry per request type, with the service call that answers it and the
 * buffers its reply moves instead of copying. The table's type is mapped over every request type, so a new request
 * in protocol.ts does not compile until it has its entry here, and each entry's result must be the type the
 * client's call promises (`TrainerResults`). No runtime check of completeness is needed.
 */
import { transferList } from '../util/bytes';
import type { GpuFault, RequestOf, RequestType, TrainerResults } from './protocol';
import type { EvaluationService } from './evaluation';
import type { ExportService } from './exports';
import type { HandoffService } from './handoff';
import type { ModelLibraryService } from './model-library';
import type { TrainingService } from './training';
import type { TeacherService } from './teacher';

/** What the handlers call: the feature services, and the test hook that makes the GPU fail. */
export interface WorkerServices {
  training: Pick<TrainingService, 'start' | 'pause' | 'resume' | 'stop'>;
  evaluation: Pick<EvaluationService, 'evaluate' | 'tryQuery' | 'releaseFiles'>;
  exports: Pick<ExportService, 'exportWeights' | 'exportProject' | 'exportHuggingFace' | 'exportWeb'>;
  handoff: Pick<HandoffService, 'exportHandoff'>;
  models: Pick<ModelLibraryService, 'importModel' | 'useModel' | 'loadWeights'>;
  teacher: Pick<TeacherService, 'make' | 'cancel' | 'discard'>;
  /** Whether there was a WebGPU device to make fail (for tests, train/gpu-guard.ts). */
  gpuFault(fault: GpuFault): boolean;
}

export interface Handler<K extends RequestType> {
  handle(req: RequestOf<K>, services: WorkerServices): TrainerResults[K] | Promise<TrainerResults[K]>;
  /** The buffers of the result that move to the page (they are unusable here afterwards). */
  transfer?(result: TrainerResults[K]): Transferable[];
}

export type HandlerTable = { [K in RequestType]: Handler<K> };

const OK = { ok: true } as const;

export const HANDLERS: HandlerTable = {
  start: {
    handle: (req, s) => {
      s.training.start(req.datasetId, req.config, req.resumeFrom);
      return OK;
    },
  },
  pause: {
    handle: (_req, s) => {
      s.training.pause();
      return OK;
    },
  },
  resume: {
    handle: (_req, s) => {
      s.training.resume();
      return OK;
    },
  },
  stop: {
    handle: (_req, s) => {
      s.training.stop();
      return OK;
    },
  },
  evaluate: { handle: (req, s) => s.evaluation.evaluate(req.datasetId, req) },
  export: {
    handle: (_req, s) => s.exports.exportWeights(),
    transfer: (weights) => transferList(weights.tensors.map((t) => t.data)),
  },
  'export-project': { handle: (_req, s) => s.exports.exportProject() },
  'load-weights': {
    handle: async (req, s) => {
      await s.models.loadWeights(req.datasetId, req);
      return OK;
    },
  },
  'import-model': { handle: (req, s) => s.models.importModel(req.files, req.name) },
  'export-hf': {
    handle: (req, s) => s.exports.exportHuggingFace(req),
    transfer: (zip) => transferList([zip.bytes]),
  },
  'export-web': {
    handle: (req, s) => s.exports.exportWeb(req),
    transfer: (zip) => transferList([zip.bytes]),
  },
  try: { handle: (req, s) => s.evaluation.tryQuery(req.datasetId, req.query) },
  'export-handoff': { handle: (req, s) => s.handoff.exportHandoff(req.datasetId, req.from, req.wholeCollection) },
  'use-model': {
    handle: async (req, s) => {
      await s.models.useModel(req.datasetId, req.modelId, req.config);
      return OK;
    },
  },
  'teacher-make': { handle: (req, s) => s.teacher.make(req.datasetId, req.spec, req.blockPairs) },
  'teacher-cancel': {
    handle: (_req, s) => {
      s.teacher.cancel();
      return OK;
    },
  },
  'teacher-discard': {
    handle: async (req, s) => {
      await s.teacher.discard(req.datasetId);
      return OK;
    },
  },
  'release-files': {
    handle: (_req, s) => {
      s.evaluation.releaseFiles();
      return OK;
    },
  },
  'debug-gpu-fault': { handle: (req, s) => ({ done: s.gpuFault(req.fault) }) },
};

/**
 * Answers one request with its entry in `table`: the result typed by the request's type, and what it transfers.
 * A handler that throws (a refusal) rejects, like one whose work fails.
 */
export async function dispatch<K extends RequestType>(req: RequestOf<K>, services: WorkerServices, table: HandlerTable = HANDLERS): Promise<{ result: TrainerResults[K]; transfer: Transferable[] }> {
  const handler: Handler<K> = table[req.type];
  const result = await handler.handle(req, services);
  return { result, transfer: handler.transfer?.(result) ?? [] };
}
