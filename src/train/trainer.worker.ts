/// <reference lib="webworker" />
/** Message dispatch only; the work is in session.ts (what the worker holds) and trainer.core.ts (the training). */
import { idOf, Responder, type Reply } from '../util/rpc';
import { transferList } from '../util/bytes';
import { parseTrainerRequest, type TrainerEvent, type TrainerResults } from './protocol';
import { TrainingSession } from './session';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const respond = new Responder<TrainerResults>((msg: Reply<unknown>, transfer) => scope.postMessage(msg, transfer));
const session = new TrainingSession((ev: TrainerEvent, transfer: Transferable[] = []) => scope.postMessage(ev, transfer));
const OK = { ok: true } as const;

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
      case 'evaluate': {
        const r = req;
        session.evaluate(r.datasetId, r).then(
          (report) => respond.result(r, report),
          (err: unknown) => respond.error(r.id, err),
        );
        return;
      }
      case 'load-weights': {
        const r = req;
        session.loadWeights(r.datasetId, r).then(
          () => respond.result(r, OK),
          (err: unknown) => respond.error(r.id, err),
        );
        return;
      }
      case 'export-project': {
        const r = req;
        session.exportProject().then(
          (project) => respond.result(r, project),
          (err: unknown) => respond.error(r.id, err),
        );
        return;
      }
      case 'export': {
        const r = req;
        session.exportWeights().then(
          (weights) => respond.result(r, weights, transferList(weights.tensors.map((t) => t.data))),
          (err: unknown) => respond.error(r.id, err),
        );
        return;
      }
      default: {
        const unreachable: never = req;
        throw new Error(`unhandled request ${JSON.stringify(unreachable)}`);
      }
    }
  } catch (err) {
    respond.error(req.id, err);
  }
});
