/**
 * The shape every worker protocol here shares: requests carry an id; the worker answers each with exactly one
 * `result` or `error` carrying that id; progress and metrics travel as separate events with no id.
 */
import { errorMessage } from './errors';

export type Reply<R> = { type: 'result'; id: number; payload: R } | { type: 'error'; id: number; message: string };

/** A request as the caller writes it; the client adds the id. */
export type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * The worker side of the same promise: replies to a request with a payload of the type its request type maps to.
 */
export class Responder<Results> {
  constructor(private readonly post: (message: Reply<unknown>, transfer: Transferable[]) => void) {}

  result<K extends keyof Results>(req: { id: number; type: K }, payload: Results[K], transfer: Transferable[] = []): void {
    this.post({ type: 'result', id: req.id, payload }, transfer);
  }

  error(id: number, err: unknown): void {
    this.post({ type: 'error', id, message: errorMessage(err) }, []);
  }
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Checks the envelope of an incoming request before its type is looked at. */
export function requireEnvelope(data: unknown, knownTypes: readonly string[]): { id: number; type: string } & Record<string, unknown> {
  if (typeof data !== 'object' || data === null) throw new ProtocolError('message is not an object');
  const msg = data as Record<string, unknown>;
  if (typeof msg.id !== 'number' || !Number.isInteger(msg.id)) throw new ProtocolError('message has no integer id');
  if (typeof msg.type !== 'string' || !knownTypes.includes(msg.type)) {
    throw new ProtocolError(`unknown message type ${JSON.stringify(msg.type)}; expected one of ${knownTypes.join(', ')}`);
  }
  return msg as { id: number; type: string } & Record<string, unknown>;
}

export function idOf(data: unknown): number {
  const id = typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined;
  return typeof id === 'number' ? id : -1;
}

interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (ev: ErrorEvent) => void): void;
  terminate(): void;
}

/**
 * The main-thread side: turns requests into promises and hands events to one listener. `Results` maps each request
 * type to what its reply carries, so a caller gets the right type back without a cast.
 */
export class WorkerClient<Req extends { type: string }, Results extends { [K in Req['type']]: unknown }, Ev extends { type: string }> {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly worker: WorkerLike,
    onEvent: (ev: Ev) => void,
    onCrash: (message: string) => void = () => undefined,
  ) {
    worker.addEventListener('message', (ev: MessageEvent) => {
      const msg = ev.data as Reply<unknown> | Ev;
      if (msg.type === 'result' || msg.type === 'error') {
        const reply = msg as Reply<unknown>;
        const waiter = this.pending.get(reply.id);
        if (!waiter) return;
        this.pending.delete(reply.id);
        if (reply.type === 'result') waiter.resolve(reply.payload);
        else waiter.reject(new Error(reply.message));
      } else {
        onEvent(msg as Ev);
      }
    });
    worker.addEventListener('error', (ev: ErrorEvent) => {
      const err = new Error(`worker crashed: ${ev.message || 'unknown error'}`);
      for (const waiter of this.pending.values()) waiter.reject(err);
      this.pending.clear();
      onCrash(err.message);
    });
  }

  request<R extends Req>(req: R, transfer: Transferable[] = []): Promise<Results[R['type']]> {
    const id = this.nextId++;
    return new Promise<Results[R['type']]>((resolve, reject) => {
      // The worker answers request `id` with the result its type promises (checked where it replies: `Responder`).
      this.pending.set(id, { resolve: (v) => resolve(v as Results[R['type']]), reject });
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }

  terminate(): void {
    this.worker.terminate();
    const err = new Error('worker terminated');
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }
}
