/// <reference lib="webworker" />
/** Message dispatch only: the data path's measurement runs here because OPFS sync access handles need a worker. */
import { measureDataPath, type DataPathReply, type DataPathRequest } from './data-path';
import { errorMessage } from '../util/errors';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const reply = (msg: DataPathReply) => scope.postMessage(msg);

scope.addEventListener('message', (ev: MessageEvent<DataPathRequest>) => {
  const req = ev.data;
  switch (req.type) {
    case 'measure':
      measureDataPath(req).then(
        (result) => reply({ type: 'result', result }),
        (err: unknown) => reply({ type: 'error', message: errorMessage(err) }),
      );
      return;
    default: {
      const unreachable: never = req.type;
      reply({ type: 'error', message: `unknown request ${String(unreachable)}` });
    }
  }
});
