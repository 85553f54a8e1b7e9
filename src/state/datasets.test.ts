import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DatasetInfo } from '../data/store/schema';

/**
 * A stand-in for the import worker that keeps its one rule: one import at a time, a second refused with "an import
 * is already running"; `cancel` ends the running one with `{ cancelled: true }`.
 */
const worker = vi.hoisted(() => {
  type Job = { type: string; resolve: (r: unknown) => void; reject: (e: Error) => void };
  const state = {
    requests: [] as string[],
    payloads: [] as Record<string, unknown>[],
    datasets: [] as unknown[],
    job: null as Job | null,
    reset() {
      state.requests = [];
      state.payloads = [];
      state.datasets = [];
      state.job = null;
    },
    /** Ends the running job with a new dataset, as the worker does when an import finishes. */
    finish(id: string) {
      const job = state.job;
      if (!job) throw new Error('no job to finish');
      state.job = null;
      const dataset = { id, name: id, status: 'ready', counts: { passages: 1 } };
      state.datasets.push(dataset);
      job.resolve({ dataset });
    },
    request(req: { type: string }): Promise<unknown> {
      state.requests.push(req.type);
      state.payloads.push(req);
      if (req.type === 'cancel') {
        const job = state.job;
        state.job = null;
        // The worker answers the running import's request before the cancel's, as importDemo's loop notices it.
        job?.resolve({ cancelled: true });
        return Promise.resolve({ cancelled: true });
      }
      if (state.job) return Promise.reject(new Error('an import is already running'));
      return new Promise((resolve, reject) => {
        state.job = { type: req.type, resolve, reject };
      });
    },
  };
  return state;
});

vi.mock('../data/import.client', () => ({ createImportClient: () => ({ request: worker.request, terminate: () => undefined }) }));
vi.mock('../data/store/catalog', () => ({ listDatasets: () => Promise.resolve(worker.datasets.slice()), deleteDataset: () => Promise.resolve() }));
vi.mock('../data/store/dataset-db', () => ({ recoverUnfinishedDatasets: () => Promise.resolve([]) }));
vi.mock('../data/store/models', () => ({ loadModelVocab: (id: string) => Promise.resolve(id === 'model-1' ? ['[PAD]', '[UNK]', 'hello'] : undefined) }));

const memory = new Map<string, string>();
Object.assign(globalThis, {
  localStorage: { getItem: (k: string) => memory.get(k) ?? null, setItem: (k: string, v: string) => void memory.set(k, v) },
  navigator: {},
});

/** A fresh copy of the module (its running import is module state), with a fresh worker. */
async function freshDatasets() {
  vi.resetModules();
  worker.reset();
  memory.clear();
  return import('./datasets');
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const file = (name: string) => new File(['x'], name);

describe('decideImport', () => {
  it('lets files replace the demo, and refuses everything else while an import runs', async () => {
    const { decideImport } = await freshDatasets();
    expect(decideImport(null, 'demo')).toBe('start');
    expect(decideImport(null, 'files')).toBe('start');
    expect(decideImport('demo', 'files')).toBe('cancel-demo-first');
    expect(decideImport('demo', 'retokenize')).toBe('cancel-demo-first');
    expect(decideImport('retokenize', 'files')).toBe('refuse');
    expect(decideImport('files', 'retokenize')).toBe('refuse');
    expect(decideImport('files', 'files')).toBe('refuse');
    expect(decideImport('files', 'demo')).toBe('refuse');
    expect(decideImport('demo', 'demo')).toBe('refuse');
  });
});

describe('imports while another runs', () => {
  beforeEach(() => vi.resetModules());

  it('cancels the demo generated on a first visit when files are chosen, then imports the files and says so', async () => {
    const { datasetStore, importChosenFiles, initDatasets } = await freshDatasets();
    const init = initDatasets();
    await flush();
    expect(worker.requests).toEqual(['load-demo']);
    expect(datasetStore.getState().importState).toBe('running');

    const imported = importChosenFiles([file('collection.tsv'), file('queries.tsv')]);
    await flush();
    // The demo was cancelled and had ended before the files were sent: the worker never saw two at once.
    expect(worker.requests).toEqual(['load-demo', 'cancel', 'import-files']);
    expect(datasetStore.getState().importState).toBe('running');
    expect(datasetStore.getState().importNotice).toBe('The demo dataset was being generated; it was cancelled so that your files import now. Load demo brings it back.');

    worker.finish('files-1');
    await Promise.all([imported, init]);
    const s = datasetStore.getState();
    expect(s).toMatchObject({ importState: 'done', importError: '', importRefused: '', activeId: 'files-1' });
    expect(s.datasets.map((d: DatasetInfo) => d.id)).toEqual(['files-1']);
    expect(s.importNotice).toContain('Load demo brings it back');
  });

  it('refuses files chosen while other files import, with a message, and leaves the running import alone', async () => {
    const { datasetStore, importChosenFiles } = await freshDatasets();
    const first = importChosenFiles([file('teacher.tsv')]);
    await flush();
    await importChosenFiles([file('a.tsv'), file('b.tsv')]);
    expect(worker.requests).toEqual(['import-files']);
    expect(datasetStore.getState().importState).toBe('running');
    expect(datasetStore.getState().importRefused).toBe('a.tsv, b.tsv were not imported: teacher.tsv is still being imported. Wait for that to end (or cancel it), then try again.');

    worker.finish('files-1');
    await first;
    expect(datasetStore.getState()).toMatchObject({ importState: 'done', activeId: 'files-1' });
    // The next import starts normally and clears the refusal.
    const next = importChosenFiles([file('a.tsv')]);
    await flush();
    expect(datasetStore.getState().importRefused).toBe('');
    worker.finish('files-2');
    await next;
    expect(datasetStore.getState().activeId).toBe('files-2');
  });

  it('refuses a second selection made while the first waits for the demo to end', async () => {
    const { datasetStore, importChosenFiles, loadDemo } = await freshDatasets();
    const demo = loadDemo();
    await flush();
    const first = importChosenFiles([file('one.tsv')]);
    await importChosenFiles([file('two.tsv')]);
    expect(datasetStore.getState().importRefused).toMatch(/^two\.tsv was not imported: one\.tsv is still being imported/);
    await flush();
    expect(worker.requests).toEqual(['load-demo', 'cancel', 'import-files']);
    worker.finish('files-1');
    await Promise.all([demo, first]);
    expect(datasetStore.getState()).toMatchObject({ importState: 'done', activeId: 'files-1' });
  });

  it('does not start the files when Cancel is pressed while they wait for the demo', async () => {
    const { cancelImport, datasetStore, importChosenFiles, loadDemo } = await freshDatasets();
    const demo = loadDemo();
    await flush();
    // Cancel pressed before the demo has answered: the files entry is cancelled too.
    const imported = importChosenFiles([file('one.tsv')]);
    await cancelImport();
    await Promise.all([demo, imported]);
    expect(worker.requests).not.toContain('import-files');
    expect(datasetStore.getState()).toMatchObject({ importState: 'idle', importNotice: '' });
  });

  it('does not generate the demo on a first visit when files were chosen before it began', async () => {
    const { datasetStore, importChosenFiles, initDatasets } = await freshDatasets();
    const imported = importChosenFiles([file('collection.tsv')]);
    const init = initDatasets();
    await flush();
    worker.finish('files-1');
    await Promise.all([imported, init]);
    expect(worker.requests).toEqual(['import-files']);
    expect(datasetStore.getState()).toMatchObject({ importState: 'done', activeId: 'files-1' });
  });

  it('keeps the demo when files come after it has finished', async () => {
    const { datasetStore, importChosenFiles, loadDemo } = await freshDatasets();
    const demo = loadDemo();
    await flush();
    worker.finish('demo-1');
    await demo;
    expect(datasetStore.getState().activeId).toBe('demo-1');
    const imported = importChosenFiles([file('collection.tsv')]);
    await flush();
    worker.finish('files-1');
    await imported;
    expect(worker.requests).toEqual(['load-demo', 'import-files']);
    expect(datasetStore.getState()).toMatchObject({ importState: 'done', importNotice: '', activeId: 'files-1' });
    expect(datasetStore.getState().datasets).toHaveLength(2);
  });

  it('tokenizes a dataset for a model like an import: the demo makes way, other imports refuse it', async () => {
    const { datasetStore, importChosenFiles, loadDemo, retokenizeForModel } = await freshDatasets();
    const demo = loadDemo();
    await flush();
    const retokenized = retokenizeForModel({ id: 'files-0', name: 'sample' }, { id: 'model-1', name: 'tiny-bert' });
    await flush();
    expect(worker.requests).toEqual(['load-demo', 'cancel', 'retokenize']);
    expect(worker.payloads[2]).toMatchObject({ type: 'retokenize', datasetId: 'files-0', vocab: ['[PAD]', '[UNK]', 'hello'], name: 'sample (tiny-bert tokens)' });
    expect(datasetStore.getState().importNotice).toBe('The demo dataset was being generated; it was cancelled so that the tokenizing you asked for runs now. Load demo brings it back.');

    await importChosenFiles([file('a.tsv')]);
    expect(datasetStore.getState().importRefused).toBe('a.tsv was not imported: Tokenizing "sample" for tiny-bert is still running. Wait for that to end (or cancel it), then try again.');
    worker.finish('files-1');
    await Promise.all([demo, retokenized]);
    expect(datasetStore.getState()).toMatchObject({ importState: 'done', activeId: 'files-1' });

    const files = importChosenFiles([file('a.tsv')]);
    await flush();
    await retokenizeForModel({ id: 'files-1', name: 'copy' }, { id: 'model-1', name: 'tiny-bert' });
    expect(datasetStore.getState().importRefused).toBe('Tokenizing "copy" for tiny-bert was not started: a.tsv is still being imported. Wait for that to end (or cancel it), then try again.');
    worker.finish('files-2');
    await files;
    expect(worker.requests.filter((r) => r === 'retokenize')).toHaveLength(1);
  });

  it('says so when the model is gone from the library, without asking the worker', async () => {
    const { datasetStore, retokenizeForModel } = await freshDatasets();
    await retokenizeForModel({ id: 'files-0', name: 'sample' }, { id: 'model-9', name: 'gone' });
    expect(worker.requests).toEqual([]);
    expect(datasetStore.getState()).toMatchObject({ importState: 'error', importError: 'Tokenizing "sample" for gone: the model gone is no longer in the library' });
  });
});
