/**
 * A run config in a page address (`#config=` and the config as JSON), so that a run can be shared and reproduced:
 * the whole config travels, seed included, not only what differs from today's defaults.
 */
import { DEFAULT_RUN_CONFIG, resolveRunConfig, type RunConfig } from '../config/run-config';
import { errorMessage } from '../util/errors';

const PREFIX = '#config=';

export function configToHash(config: RunConfig): string {
  return PREFIX + encodeURIComponent(JSON.stringify(config));
}

/** The config an address carries: none, a valid one, or why it is not valid. */
export function configFromHash(hash: string): { config: RunConfig } | { error: string } | null {
  if (!hash.startsWith(PREFIX)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeURIComponent(hash.slice(PREFIX.length)));
  } catch (err) {
    return { error: `the run config in the address is not JSON (${errorMessage(err)})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { error: 'the run config in the address is not an object' };
  const unknown = Object.keys(parsed).filter((k) => !(k in DEFAULT_RUN_CONFIG));
  if (unknown.length > 0) return { error: `the run config in the address has unknown fields: ${unknown.join(', ')} (known: ${Object.keys(DEFAULT_RUN_CONFIG).join(', ')})` };
  try {
    return { config: resolveRunConfig(parsed as Partial<RunConfig>) };
  } catch (err) {
    return { error: `the run config in the address is not valid: ${errorMessage(err)}` };
  }
}
