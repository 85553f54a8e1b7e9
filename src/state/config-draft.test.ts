import { describe, expect, it } from 'vitest';
import { createConfigDraftStore, draftOf, DRAFT_KEY, loadDraftConfig, microBatchNote, parseDraft, plannedSize, SMALL_CONFIG, type DraftStorage } from './config-draft';
import { DEFAULT_RUN_CONFIG } from '../config/run-config';
import { configToHash } from '../train/config-url';

function memoryStorage(initial: Record<string, string> = {}): DraftStorage & { items: Map<string, string> } {
  const items = new Map(Object.entries(initial));
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) };
}

const remembered = { ...DEFAULT_RUN_CONFIG, seed: 11, steps: 250 };
const shared = { ...DEFAULT_RUN_CONFIG, seed: 77, arch: 'tk' as const };

describe('loading the draft', () => {
  it('takes a shared address first, then the config remembered here, then the defaults', () => {
    const storage = memoryStorage({ [DRAFT_KEY]: JSON.stringify(remembered) });
    expect(loadDraftConfig(configToHash(shared), storage)).toEqual({ config: shared, error: '', from: 'address' });
    expect(loadDraftConfig('', storage)).toEqual({ config: remembered, error: '', from: 'remembered' });
    expect(loadDraftConfig('', memoryStorage())).toEqual({ config: DEFAULT_RUN_CONFIG, error: '', from: 'defaults' });
    expect(loadDraftConfig('', null)).toEqual({ config: DEFAULT_RUN_CONFIG, error: '', from: 'defaults' });
  });

  it('falls back past an invalid address, keeping its error to show', () => {
    const storage = memoryStorage({ [DRAFT_KEY]: JSON.stringify(remembered) });
    const loaded = loadDraftConfig('#config=' + encodeURIComponent('{"steps":0}'), storage);
    expect(loaded).toEqual({ config: remembered, error: 'the run config in the address is not valid: run config: steps must be an integer in [1, 10000000], got 0', from: 'remembered' });
  });

  it('drops a remembered config that is not JSON or no longer valid, silently', () => {
    expect(loadDraftConfig('', memoryStorage({ [DRAFT_KEY]: '{oops' }))).toEqual({ config: DEFAULT_RUN_CONFIG, error: '', from: 'defaults' });
    expect(loadDraftConfig('', memoryStorage({ [DRAFT_KEY]: '{"hidden":63,"heads":2}' }))).toEqual({ config: DEFAULT_RUN_CONFIG, error: '', from: 'defaults' });
  });

  it('fills fields an older remembered config lacks with the defaults', () => {
    const loaded = loadDraftConfig('', memoryStorage({ [DRAFT_KEY]: '{"seed":5}' }));
    expect(loaded.config).toEqual({ ...DEFAULT_RUN_CONFIG, seed: 5 });
  });

  it('survives a storage that throws on reading', () => {
    const throwing: DraftStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => undefined,
    };
    expect(loadDraftConfig('', throwing).from).toBe('defaults');
  });
});

describe('parseDraft', () => {
  it('turns the form text back into the same config', () => {
    const config = { ...DEFAULT_RUN_CONFIG, arch: 'colbert' as const, learningRate: 0.0015, standardizeTeacher: true, backend: 'cpu' as const };
    expect(parseDraft(draftOf(config))).toEqual(config);
  });

  it('names the field that is empty, not a number, or out of range', () => {
    const draft = draftOf(DEFAULT_RUN_CONFIG);
    expect(() => parseDraft({ ...draft, steps: '' })).toThrow('run config: steps must be a number, got nothing');
    expect(() => parseDraft({ ...draft, batchSize: 'ten' })).toThrow('run config: batchSize must be a number, got "ten"');
    expect(() => parseDraft({ ...draft, hidden: '2.5' })).toThrow('run config: hidden must be an integer in [2, 2048], got 2.5');
    expect(() => parseDraft({ ...draft, heads: '3' })).toThrow('run config: hidden (64) must be divisible by heads (3)');
    expect(() => parseDraft({ ...draft, arch: 'bert' })).toThrow('run config: arch must be one of dot, colbert, tk, prett, cat, got bert');
    expect(() => parseDraft({ ...draft, standardizeTeacher: 'yes' })).toThrow('run config: standardizeTeacher must be true or false, got "yes"');
  });
});

describe('the micro-batch field', () => {
  it('says how many forwards a step takes, or why the micro-batch does not fit the batch', () => {
    expect(microBatchNote({ batchSize: '32', microBatch: '8' })).toEqual({ ok: true, text: '4 micro-batches of 8 per step, gradients summed: the update of the whole batch' });
    expect(microBatchNote({ batchSize: '32', microBatch: '0' })).toEqual({ ok: true, text: 'the whole batch of 32 in one forward' });
    expect(microBatchNote({ batchSize: '32', microBatch: '32' })).toEqual({ ok: true, text: 'the whole batch of 32 in one forward' });
    expect(microBatchNote({ batchSize: '32', microBatch: '12' })).toEqual({ ok: false, text: 'a micro-batch of 12 does not divide the batch of 32: choose a divisor of 32, or 0 for the whole batch' });
    expect(microBatchNote({ batchSize: '8', microBatch: '16' }).ok).toBe(false);
    expect(microBatchNote({ batchSize: '32', microBatch: '-4' }).ok).toBe(false);
    // Half-typed fields: nothing to say yet.
    expect(microBatchNote({ batchSize: '32', microBatch: '' })).toEqual({ ok: true, text: '' });
    expect(microBatchNote({ batchSize: '', microBatch: '8' })).toEqual({ ok: true, text: '' });
  });

  it('is refused on Train when it does not divide the batch, and kept when it does', () => {
    const draft = draftOf(DEFAULT_RUN_CONFIG);
    expect(() => parseDraft({ ...draft, batchSize: '32', microBatch: '12' })).toThrow('run config: microBatch (12) must divide batchSize (32); 0 runs the whole batch at once');
    expect(parseDraft({ ...draft, batchSize: '32', microBatch: '8' })).toEqual({ ...DEFAULT_RUN_CONFIG, batchSize: 32, microBatch: 8 });
  });
});

describe('the draft store', () => {
  it('remembers the config it commits, and the next load finds it', () => {
    const storage = memoryStorage();
    const first = createConfigDraftStore('', storage);
    first.setField('seed', '123');
    first.setField('steps', '40');
    const config = first.commit();
    expect(config).toEqual({ ...DEFAULT_RUN_CONFIG, seed: 123, steps: 40 });
    expect(JSON.parse(storage.items.get(DRAFT_KEY) ?? '')).toEqual(config);
    expect(createConfigDraftStore('', storage).store.getState().draft).toEqual(draftOf({ ...DEFAULT_RUN_CONFIG, seed: 123, steps: 40 }));
  });

  it('keeps a draft that does not parse out of storage and shows why', () => {
    const storage = memoryStorage({ [DRAFT_KEY]: JSON.stringify(remembered) });
    const drafts = createConfigDraftStore('', storage);
    drafts.setField('probeSize', '-1');
    expect(drafts.commit()).toBeNull();
    expect(drafts.store.getState().error).toBe('run config: probeSize must be an integer in [1, 100000], got -1');
    expect(JSON.parse(storage.items.get(DRAFT_KEY) ?? '')).toEqual(remembered);
    // Fixed, it commits and the error goes.
    drafts.setField('probeSize', '64');
    expect(drafts.commit()).toEqual({ ...remembered, probeSize: 64 });
    expect(drafts.store.getState().error).toBe('');
  });

  it('starts with the error of an invalid shared address', () => {
    const drafts = createConfigDraftStore('#config=%7Bnope', memoryStorage());
    expect(drafts.store.getState().error).toMatch(/^the run config in the address is not JSON/);
    expect(drafts.store.getState().draft).toEqual(draftOf(DEFAULT_RUN_CONFIG));
  });

  it('applies the small config to sizes only, keeping the student, loss and seed', () => {
    const drafts = createConfigDraftStore(configToHash(shared), memoryStorage());
    drafts.setFields(SMALL_CONFIG);
    const config = drafts.commit();
    expect(config).toEqual({ ...shared, ...SMALL_CONFIG });
    expect(config).toMatchObject({ arch: 'tk', seed: 77, steps: 100, batchSize: 16, hidden: 32, passageLength: 32 });
  });
});

describe('plannedSize', () => {
  it('counts parameters for a known tokenizer, and says why when it cannot', () => {
    const draft = draftOf(DEFAULT_RUN_CONFIG);
    expect(plannedSize(draft, undefined)).toEqual({ why: 'choose a dataset' });
    expect(plannedSize(draft, 'no-such-tokenizer')).toEqual({ why: 'unknown tokenizer no-such-tokenizer' });
    expect(plannedSize({ ...draft, heads: '3' }, 'hash-words-v1:8192')).toEqual({ why: 'run config: hidden (64) must be divisible by heads (3)' });
    // dot, hidden 64, ffn 128, one layer, 49 positions (48 passage tokens and [CLS]): token embeddings 8192·64 =
    // 524288, positions 49·64 = 3136, the layer 2 norms (4·64) + qkv (64·192 + 192) + output (64·64 + 64) + ffn
    // (64·128 + 128 + 128·64 + 64) = 33472, final norm 2·64 = 128: 561024.
    expect(plannedSize(draft, 'hash-words-v1:8192')).toEqual({ count: 561024 });
  });
});
