/**
 * The run config being edited: the form's field strings, loaded from a shared address, else the config last used
 * here, else the defaults; turned into a valid RunConfig (or an error naming the field) when a run starts, and then
 * remembered for the next visit.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { DEFAULT_RUN_CONFIG, resolveRunConfig, type RunConfig } from '../config/run-config';
import { configFromHash, configToHash } from '../train/config-url';
import { countParameters } from '../model/students/descriptor';
import { studentOf } from '../model/students/registry';
import { studentConfig } from '../train/student-config';
import { vocabSizeOf } from '../text/tokenizers';
import { errorMessage } from '../util/errors';

/** Every RunConfig field as the form holds it: text, as typed. */
export type ConfigDraft = Record<keyof RunConfig, string>;

export interface ConfigDraftState {
  draft: ConfigDraft;
  /** Why the draft (or the address it came from) is not a valid config; '' when nothing is wrong. */
  error: string;
}

export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const DRAFT_KEY = 'margin-studio.run-config';


/**
 * A config that trains in minutes on a software adapter. SwiftShader's cost is mostly per kernel dispatch, so a
 * smaller model helps less than its multiply-adds suggest: BENCHMARKS.md has the default config at 12-16 s a step
 * on an idle 2-core machine and batch 8 / hidden 32 / 32-token passages at about 2 s; this config measured 12 s a
 * step (1.4 triples/s) on that machine while other test runs kept its load near 5, which puts it at a few seconds
 * a step when idle: its 100 steps in about 5-10 minutes, shader compilation included. Only sizes and lengths change; the student, loss, seed
 * and learning rate stay as chosen.
 */
export const SMALL_CONFIG = {
  steps: 100,
  batchSize: 16,
  hidden: 32,
  heads: 2,
  ffn: 64,
  layers: 1,
  queryLength: 8,
  passageLength: 32,
  probeSize: 64,
} as const satisfies Partial<RunConfig>;

/** Config values as the form's text. */
export function fieldsOf(values: Partial<RunConfig>): Partial<ConfigDraft> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
}

export function draftOf(config: RunConfig): ConfigDraft {
  return fieldsOf(config) as ConfigDraft;
}

/** The config a shared address carries, else the one last used here, else the defaults; with the address's error. */
export function loadDraftConfig(hash: string, storage: DraftStorage | null): { config: RunConfig; error: string; from: 'address' | 'remembered' | 'defaults' } {
  const shared = configFromHash(hash);
  if (shared && 'config' in shared) return { config: shared.config, error: '', from: 'address' };
  const error = shared?.error ?? '';
  let raw: string | null = null;
  try {
    raw = storage?.getItem(DRAFT_KEY) ?? null;
  } catch {
    // Storage refused (a private window may): the defaults will do.
  }
  if (raw === null) return { config: DEFAULT_RUN_CONFIG, error, from: 'defaults' };
  try {
    return { config: resolveRunConfig(JSON.parse(raw) as Partial<RunConfig>), error, from: 'remembered' };
  } catch {
    // A remembered config this version no longer accepts is dropped, not shown as the person's mistake.
    return { config: DEFAULT_RUN_CONFIG, error, from: 'defaults' };
  }
}

/**
 * The draft as a RunConfig; throws naming the first field that is not a value of its kind, or out of range. A
 * field's kind is that of its default (number, true/false, or a word), so fields added to RunConfig parse as well.
 */
export function parseDraft(draft: Partial<ConfigDraft>): RunConfig {
  const parsed: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(draft) as [keyof RunConfig, string | undefined][]) {
    if (text === undefined) continue;
    const kind = typeof DEFAULT_RUN_CONFIG[key];
    if (kind === 'number') {
      const value = text.trim() === '' ? NaN : Number(text);
      if (!Number.isFinite(value)) throw new Error(`run config: ${key} must be a number, got ${text.trim() === '' ? 'nothing' : `"${text}"`}`);
      parsed[key] = value;
    } else if (kind === 'boolean') {
      if (text !== 'true' && text !== 'false') throw new Error(`run config: ${key} must be true or false, got "${text}"`);
      parsed[key] = text === 'true';
    } else {
      // Words (arch, loss, …), checked by resolveRunConfig; unknown keys go through for it to judge as well.
      parsed[key] = text;
    }
  }
  return resolveRunConfig(parsed as Partial<RunConfig>);
}

/**
 * What the micro-batch field means for the batch as typed: how many forwards each step takes, or why the pair
 * cannot run (the same rule resolveRunConfig applies when Train is pressed). '' when either field is not a number yet.
 */
export function microBatchNote(draft: Pick<Partial<ConfigDraft>, 'batchSize' | 'microBatch'>): { ok: boolean; text: string } {
  const batch = Number(draft.batchSize);
  const micro = Number(draft.microBatch);
  if (draft.batchSize?.trim() === '' || draft.microBatch?.trim() === '' || !Number.isInteger(batch) || !Number.isInteger(micro) || batch < 1) return { ok: true, text: '' };
  if (micro < 0) return { ok: false, text: 'the micro-batch cannot be negative (0 runs the whole batch at once)' };
  if (micro === 0 || micro === batch) return { ok: true, text: `the whole batch of ${batch} in one forward` };
  if (batch % micro !== 0) return { ok: false, text: `a micro-batch of ${micro} does not divide the batch of ${batch}: choose a divisor of ${batch}, or 0 for the whole batch` };
  return { ok: true, text: `${batch / micro} micro-batches of ${micro} per step, gradients summed: the update of the whole batch` };
}

/** The configured student's parameter count for a dataset's tokenizer, or why it cannot be given. */
export function plannedSize(draft: ConfigDraft, tokenizer: string | undefined): { count: number } | { why: string } {
  if (!tokenizer) return { why: 'choose a dataset' };
  const vocabSize = vocabSizeOf(tokenizer);
  if (vocabSize === null) return { why: `unknown tokenizer ${tokenizer}` };
  try {
    const config = parseDraft(draft);
    return { count: countParameters(studentOf(config.arch), studentConfig(config, { vocabSize, cls: 1, sep: 2 })) };
  } catch (err) {
    return { why: errorMessage(err) };
  }
}

export interface ConfigDraftStore {
  store: StoreApi<ConfigDraftState>;
  setField(key: keyof RunConfig, value: string): void;
  /** Sets several fields from values (e.g. the small config), leaving the others as they are. */
  setFields(values: Partial<RunConfig>): void;
  setError(message: string): void;
  /** The draft as a valid config, remembered for the next visit; or null, with the error in the store. */
  commit(): RunConfig | null;
}

export function createConfigDraftStore(hash: string, storage: DraftStorage | null): ConfigDraftStore {
  const initial = loadDraftConfig(hash, storage);
  const store = createStore<ConfigDraftState>()(() => ({ draft: draftOf(initial.config), error: initial.error }));
  return {
    store,
    setField: (key, value) => store.setState((s) => ({ draft: { ...s.draft, [key]: value } })),
    setFields: (values) => store.setState((s) => ({ draft: { ...s.draft, ...fieldsOf(values) } })),
    setError: (error) => store.setState({ error }),
    commit() {
      let config: RunConfig;
      try {
        config = parseDraft(store.getState().draft);
      } catch (err) {
        store.setState({ error: errorMessage(err) });
        return null;
      }
      store.setState({ error: '' });
      try {
        storage?.setItem(DRAFT_KEY, JSON.stringify(config));
      } catch {
        // Not remembered (storage full or refused); the run itself is unaffected.
      }
      return config;
    },
  };
}

function browserStorage(): DraftStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** The page's draft, read from the address and localStorage once, at load. */
export const configDraft = createConfigDraftStore(typeof location === 'undefined' ? '' : location.hash, browserStorage());
export const configDraftStore = configDraft.store;

/** The address that carries `config`, on this page. */
export function shareUrlOf(config: RunConfig): string {
  return `${location.origin}${location.pathname}${configToHash(config)}`;
}

/** The shareable address part (`#config=…`) of a config, for links to finished runs. */
export const configHashOf = configToHash;
