// IndexedDB in Node for isolation; e2e/model-library-size.spec.ts exercises Chromium's real IndexedDB at 66M parameters.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteDb, openDb, requestToPromise, transactionDone } from './idb';
import { CHUNK_FLOATS, deleteModel, getModelInfo, listModels, loadModel, loadModelVocab, storeModel, type ModelInfo, type NamedWeight } from './models';

const DB = 'margin-studio-models';

function info(id: string, weights: readonly NamedWeight[]): ModelInfo {
  const parameters = weights.reduce((n, w) => n + w.data.length, 0);
  return {
    id,
    name: id,
    addedAt: Date.now(),
    bytes: parameters * 4,
    type: 'bert',
    kind: 'bi-encoder',
    architecture: 'BertModel',
    dims: { layers: 1, hidden: 4, heads: 1, ffn: 8, vocabSize: 3, maxPositions: 8, typeVocabSize: 2, layerNormEps: 1e-12 },
    parameters,
    pooling: 'mean',
    normalize: false,
    denseOut: null,
    lowercase: true,
    maxSeqLength: null,
    tokenizer: 'wordpiece-test',
    storedAs: 'F32',
  };
}

const VOCAB = ['[PAD]', '[UNK]', 'hello'];

/** Values that differ at every position, so a chunk put back at the wrong offset shows. */
function ramp(n: number, from = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => from + i * 0.5);
}

/** Every record key in one of the database's stores, raw. */
async function keys(store: string): Promise<IDBValidKey[]> {
  // Through the library first, so that the database exists at its current version.
  await listModels();
  const db = await openDb(DB, 2, () => undefined);
  try {
    return await requestToPromise(db.transaction(store).objectStore(store).getAllKeys());
  } finally {
    db.close();
  }
}

const chunkOwners = async () => (await keys('chunks')).map((k) => (k as [string, number])[0]);

afterEach(async () => {
  await deleteDb(DB);
});

describe('the model library in chunks', () => {
  it('stores a tensor larger than a chunk in several records and reads every value back in place', async () => {
    // One tensor a little over a chunk (two records), one small, one empty: 4 chunks in all.
    const weights: NamedWeight[] = [
      { name: 'big', shape: [CHUNK_FLOATS + 6], data: ramp(CHUNK_FLOATS + 6) },
      { name: 'small', shape: [2, 3], data: ramp(6, -3) },
      { name: 'none', shape: [0], data: new Float32Array(0) },
    ];
    await storeModel(info('m1', weights), { vocab: VOCAB, dense: null, weights });
    expect(await chunkOwners()).toEqual(['m1', 'm1', 'm1', 'm1']);
    const back = await loadModel('m1');
    expect(back?.weights.map((w) => [w.name, w.shape])).toEqual([['big', [CHUNK_FLOATS + 6]], ['small', [2, 3]], ['none', [0]]]);
    const big = back!.weights[0]!.data;
    // The seam between the two records, and both ends.
    expect([big[0], big[CHUNK_FLOATS - 1], big[CHUNK_FLOATS], big[CHUNK_FLOATS + 5]]).toEqual([0, (CHUNK_FLOATS - 1) * 0.5, CHUNK_FLOATS * 0.5, (CHUNK_FLOATS + 5) * 0.5]);
    expect(Array.from(back!.weights[1]!.data)).toEqual([-3, -2.5, -2, -1.5, -1, -0.5]);
    expect(back?.vocab).toEqual(VOCAB);
    expect(await loadModelVocab('m1')).toEqual(VOCAB);
    expect((await listModels()).map((m) => m.id)).toEqual(['m1']);
    expect(await getModelInfo('m1')).toMatchObject({ id: 'm1', parameters: CHUNK_FLOATS + 12, bytes: 4 * (CHUNK_FLOATS + 12) });
    expect(await getModelInfo('gone')).toBeUndefined();
  });

  it('deletes every chunk with the model, and leaves other models whole', async () => {
    const a: NamedWeight[] = [{ name: 'w', shape: [5], data: ramp(5) }];
    const b: NamedWeight[] = [{ name: 'w', shape: [3], data: ramp(3, 10) }];
    await storeModel(info('a', a), { vocab: VOCAB, dense: null, weights: a });
    await storeModel(info('b', b), { vocab: VOCAB, dense: null, weights: b });
    await deleteModel('a');
    expect(await chunkOwners()).toEqual(['b']);
    expect(await keys('payloads')).toEqual(['b']);
    expect(await loadModel('a')).toBeUndefined();
    expect(Array.from((await loadModel('b'))!.weights[0]!.data)).toEqual([10, 10.5, 11]);
  });

  it('keeps nothing of an import that fails half-way, and lists nothing', async () => {
    async function* failing(): AsyncGenerator<NamedWeight> {
      yield { name: 'first', shape: [4], data: ramp(4) };
      throw new Error('model.safetensors: tensor second could not be read');
    }
    const weights: NamedWeight[] = [{ name: 'first', shape: [4], data: ramp(4) }];
    await expect(storeModel(info('half', weights), { vocab: VOCAB, dense: null, weights: failing() })).rejects.toThrow('tensor second could not be read');
    expect(await listModels()).toEqual([]);
    expect(await chunkOwners()).toEqual([]);
    expect(await keys('payloads')).toEqual([]);
  });

  it('says in words when the store refuses a chunk for quota, and removes what it wrote', async () => {
    const put = IDBObjectStore.prototype.put;
    let chunks = 0;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'chunks' && ++chunks === 2) throw new DOMException('quota exceeded', 'QuotaExceededError');
      return put.apply(this, args);
    };
    const weights: NamedWeight[] = [1, 2, 3].map((i) => ({ name: `w${i}`, shape: [250_000], data: ramp(250_000, i) }));
    try {
      const estimate = () => Promise.resolve({ quota: 5e9, usage: 4.2e9 });
      await expect(storeModel(info('full', weights), { vocab: VOCAB, dense: null, weights }, estimate)).rejects.toThrow(
        'the model "full" needs about 3 MB of storage and the browser refused it: its storage for this page is full (4,200 MB of the page\'s 5,000 MB quota in use). What this import had written was removed',
      );
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(chunks).toBe(2);
    expect(await chunkOwners()).toEqual([]);
    expect(await listModels()).toEqual([]);
  });

  it('refuses before writing anything when the estimate says the model does not fit', async () => {
    // 2,000,000 values are 8 MB of float32; the page has 5 MB left of its quota.
    const weights: NamedWeight[] = [{ name: 'w', shape: [2_000_000], data: new Float32Array(2_000_000) }];
    const estimate = () => Promise.resolve({ quota: 100e6, usage: 95e6 });
    await expect(storeModel(info('big', weights), { vocab: VOCAB, dense: null, weights }, estimate)).rejects.toThrow(
      /^the model "big" needs about 8 MB, and the browser allows this page only 5 MB more \(95 MB of its 100 MB quota used\); nothing was written\./,
    );
    expect(await keys('chunks')).toEqual([]);
  });

  it('sweeps chunks an import cut off by a closed tab left behind, at the next import', async () => {
    const db = await openDb(DB, 2, (d) => {
      d.createObjectStore('models', { keyPath: 'id' });
      d.createObjectStore('payloads', { keyPath: 'id' });
      d.createObjectStore('chunks', { keyPath: ['model', 'index'] });
    });
    const tx = db.transaction('chunks', 'readwrite');
    const done = transactionDone(tx);
    tx.objectStore('chunks').put({ model: 'cut-off', index: 0, tensor: 0, offset: 0, data: ramp(3) });
    await done;
    db.close();
    const weights: NamedWeight[] = [{ name: 'w', shape: [2], data: ramp(2) }];
    await storeModel(info('next', weights), { vocab: VOCAB, dense: null, weights });
    expect(await chunkOwners()).toEqual(['next']);
  });

  it('still reads, lists and deletes a model stored whole by the first version of the library', async () => {
    // Version 1's layout: the list and one payload record holding every weight.
    const db = await openDb(DB, 1, (d) => {
      d.createObjectStore('models', { keyPath: 'id' });
      d.createObjectStore('payloads', { keyPath: 'id' });
    });
    const weights: NamedWeight[] = [{ name: 'embeddings.word_embeddings.weight', shape: [3, 4], data: ramp(12) }];
    const tx = db.transaction(['models', 'payloads'], 'readwrite');
    const done = transactionDone(tx);
    tx.objectStore('payloads').put({ id: 'old', vocab: VOCAB, weights, dense: null });
    tx.objectStore('models').put(info('old', weights));
    await done;
    db.close();

    expect((await listModels()).map((m) => m.id)).toEqual(['old']);
    const back = await loadModel('old');
    expect(back?.weights[0]?.shape).toEqual([3, 4]);
    expect(Array.from(back!.weights[0]!.data)).toEqual(Array.from(ramp(12)));
    expect(await loadModelVocab('old')).toEqual(VOCAB);
    // A new model beside it is chunked; the old one is untouched by the upgrade and the sweep.
    await storeModel(info('new', weights), { vocab: VOCAB, dense: null, weights });
    expect((await loadModel('old'))?.weights[0]?.data.length).toBe(12);
    await deleteModel('old');
    expect((await listModels()).map((m) => m.id)).toEqual(['new']);
    expect(await keys('payloads')).toEqual(['new']);
  });

  it('says a stored model is damaged when one of its chunks is gone', async () => {
    const weights: NamedWeight[] = [{ name: 'big', shape: [CHUNK_FLOATS + 1], data: ramp(CHUNK_FLOATS + 1) }];
    await storeModel(info('torn', weights), { vocab: VOCAB, dense: null, weights });
    const db = await openDb(DB, 2, () => undefined);
    const tx = db.transaction('chunks', 'readwrite');
    const done = transactionDone(tx);
    tx.objectStore('chunks').delete(['torn', 1]);
    await done;
    db.close();
    await expect(loadModel('torn')).rejects.toThrow('model "torn": 1 of its 2 stored chunks were found (big incomplete); the stored model is damaged');
  });
});
