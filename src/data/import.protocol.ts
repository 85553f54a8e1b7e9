/** Messages between the page and the import worker. */
import type { DatasetInfo } from './store/schema';
import { requireEnvelope, ProtocolError } from '../util/rpc';

export type ImportRequest =
  | { id: number; type: 'load-demo'; seed: number }
  | { id: number; type: 'cancel' };

export type ImportResult = { dataset: DatasetInfo } | { cancelled: true };

export type ImportEvent = {
  type: 'progress';
  phase: 'generating' | 'storing';
  done: number;
  total: number;
  /** Rows per second over the import so far. */
  rate: number;
};

const TYPES = ['load-demo', 'cancel'] as const;

export function parseImportRequest(data: unknown): ImportRequest {
  const msg = requireEnvelope(data, TYPES);
  const type = msg.type as ImportRequest['type'];
  switch (type) {
    case 'load-demo':
      if (typeof msg.seed !== 'number' || !Number.isInteger(msg.seed)) throw new ProtocolError('load-demo needs an integer seed');
      return { id: msg.id, type, seed: msg.seed };
    case 'cancel':
      return { id: msg.id, type };
    default: {
      const unreachable: never = type;
      throw new ProtocolError(`unhandled message type ${String(unreachable)}`);
    }
  }
}
