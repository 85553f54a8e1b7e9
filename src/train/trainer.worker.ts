/// <reference lib="webworker" />
/** Message dispatch only; the work is in session.ts (what the worker holds) and trainer.core.ts (the training). */
import { idOf, Responder, type Reply } from '../util/rpc';
import { transferList } from '../util/bytes';
import { parseTrainerRequest, type TrainerEvent, type TrainerResults } from './protocol';
import { TrainingSession } from './session';
import { gpuFaultForTest } from './gpu-guard';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const respond = new Responder<TrainerResults>((msg: Reply<unknown>, transfer) => scope.postMessage(msg, transfer));
const session = new TrainingSession((ev: TrainerEvent, transfer: Transferable[] = []) => scope.postMessage(ev, transfer));
const OK = { ok: true } as const;

/** Replies to a request when its work settles: its result, or the error that ended it. */
function answer<K extends keyof TrainerResults>(req: { id: number; type: K }, work: Promise<TrainerResults[K]>, transfer: (result: TrainerResults[K]) => Transferable[] = () => []): void {
  work.then(
    (result) => respond.result(req, result, transfer(result)),
    (err: unknown) => respond.error(req.id, err),
  );
}

scope.addEventListener('message', (ev: MessageEvent) => {
  let req;
  try {
    req = parseTrainerRequest(ev.data);
  } catch (err) {
    respond.error(idOf(ev.data), err);
    return;
  }
  try {
    switch (req.type) {
      case 'start':
        session.start(req.datasetId, req.config, req.resumeFrom);
        respond.result(req, OK);
        return;
      case 'pause':
        session.pause();
        respond.result(req, OK);
        return;
      case 'resume':
        session.resume();
        respond.result(req, OK);
        return;
      case 'stop':
        session.stop();
        respond.result(req, OK);
        return;
      case 'evaluate':
        answer(req, session.evaluate(req.datasetId, req));
        return;
      case 'load-weights':
        answer(req, session.loadWeights(req.datasetId, req).then(() => OK));
        return;
      case 'export-project':
        answer(req, session.exportProject());
        return;
      case 'export':
        answer(req, session.exportWeights(), (weights) => transferList(weights.tensors.map((t) => t.data)));
        return;
      case 'import-model':
        answer(req, session.importModel(req.files, req.name));
        return;
      case 'export-hf':
        answer(req, session.exportHuggingFace(req), (zip) => transferList([zip.bytes]));
        return;
      case 'try':
        answer(req, session.tryQuery(req.datasetId, req.query));
        return;
      case 'export-handoff':
        answer(req, session.exportHandoff(req.datasetId, req.from, req.wholeCollection));
        return;
      case 'use-model':
        answer(req, session.useModel(req.datasetId, req.modelId, req.config).then(() => OK));
        return;
      case 'release-files':
        session.releaseFiles();
        respond.result(req, OK);
        return;
      case 'debug-gpu-fault':
        respond.result(req, { done: gpuFaultForTest(req.fault) });
        return;
      default: {
        const unreachable: never = req;
        throw new Error(`unhandled request ${JSON.stringify(unreachable)}`);
      }
    }
  } catch (err) {
    respond.error(req.id, err);
  }
});
