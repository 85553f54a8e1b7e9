/// <reference lib="webworker" />
/** Message dispatch only: requests are parsed (protocol.ts) and answered by their entry in handlers.ts. */
import { idOf, Responder, type Reply } from '../util/rpc';
import { parseTrainerRequest, type TrainerEvent, type TrainerRequest, type TrainerResults } from './protocol';
import { dispatch } from './handlers';
import { createServices } from './services';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const respond = new Responder<TrainerResults>((msg: Reply<unknown>, transfer) => scope.postMessage(msg, transfer));
const services = createServices((ev: TrainerEvent, transfer: Transferable[] = []) => scope.postMessage(ev, transfer));

scope.addEventListener('message', (ev: MessageEvent) => {
  let req: TrainerRequest;
  try {
    req = parseTrainerRequest(ev.data);
  } catch (err) {
    respond.error(idOf(ev.data), err);
    return;
  }
  dispatch(req, services).then(
    ({ result, transfer }) => respond.result(req, result, transfer),
    (err: unknown) => respond.error(req.id, err),
  );
});
