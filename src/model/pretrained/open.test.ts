import { describe, expect, it } from 'vitest';
import { readPretrainedFolder } from './folder';
import { openPretrainedFolder } from './open';
import { editTensors, fixtureFolder, folderBlobs, withFile } from '../../testing/hf-fixtures';

const EMB = 'embeddings.word_embeddings.weight';

describe('opening a folder without reading its weights whole', () => {
  it('describes a folder read tensor by tensor exactly as one read whole, and reads the same values', async () => {
    const files = fixtureFolder('bert-dot', 'bert-dot');
    const whole = readPretrainedFolder(files);
    // Threshold 0: every safetensors file is opened by its header only, each tensor read from its slice of the file.
    const lazy = await openPretrainedFolder(folderBlobs(files), 0);
    const { weights: lazyWeights, ...lazyRest } = lazy;
    const { weights, ...rest } = whole;
    expect(lazyRest).toEqual(rest);
    expect([...lazyWeights.keys()]).toEqual([...weights.keys()]);
    for (const [name, ref] of lazyWeights) {
      expect(ref.data).toBeNull();
      expect(ref.shape).toEqual(weights.get(name)!.shape);
      expect(Array.from(await ref.read())).toEqual(Array.from(weights.get(name)!.data));
    }
  });

  it.each(['F16', 'BF16'] as const)('widens %s tensors when each is read, and says how the folder stored them', async (dtype) => {
    const half = editTensors(fixtureFolder('distilbert-dot'), 'model.safetensors', (ts) => ts.map((t) => ({ ...t, stored: dtype })));
    const lazy = await openPretrainedFolder(folderBlobs(half), 0);
    expect(lazy.storedAs).toBe(dtype);
    const values = await lazy.weights.get(EMB)!.read();
    const original = readPretrainedFolder(fixtureFolder('distilbert-dot')).weights.get(EMB)!.data;
    // Each value is the nearest of the format (11 significant bits for F16, 8 for BF16), widened exactly.
    const bits = dtype === 'F16' ? 11 : 8;
    for (let i = 0; i < 200; i++) expect(Math.abs((values[i] as number) - (original[i] as number))).toBeLessThanOrEqual(Math.abs(original[i] as number) * 2 ** -bits + 2 ** -25);
    // The same widening as reading the file whole (export/safetensors.test.ts checks it bit by bit).
    expect(Array.from(values)).toEqual(Array.from(readPretrainedFolder(half).weights.get(EMB)!.data));
  });

  it('names the file and the tensor when the file cannot be read any more (changed or moved after it was chosen)', async () => {
    const files = folderBlobs(fixtureFolder('distilbert-dot'));
    const st = files.find((f) => f.path === 'model.safetensors')!;
    const real = st.file;
    let slices = 0;
    // The header's two reads succeed; later reads fail as Chromium's do for a file that changed on disk.
    const gone = { size: real.size, slice: (a: number, b: number) => (++slices <= 2 ? real.slice(a, b) : { arrayBuffer: () => Promise.reject(new DOMException('The requested file could not be read', 'NotReadableError')) }) };
    st.file = gone as unknown as Blob;
    const lazy = await openPretrainedFolder(files, 0);
    await expect(lazy.weights.get(EMB)!.read()).rejects.toThrow(`model.safetensors: tensor ${EMB} could not be read (was the file changed or moved after it was chosen?): The requested file could not be read`);
  });

  it('refuses a damaged large checkpoint from its header, naming the file', async () => {
    const files = fixtureFolder('bert-dot');
    const st = files.find((f) => f.path === 'model.safetensors')!.bytes;
    const cut = withFile(files, 'model.safetensors', st.subarray(0, st.length - 4));
    await expect(openPretrainedFolder(folderBlobs(cut), 0)).rejects.toThrow(/model\.safetensors: .*fall outside the/);
  });

  it('names a pytorch-only checkpoint without reading it', async () => {
    const files = fixtureFolder('bert-dot').filter((f) => f.path !== 'model.safetensors');
    const pickle = withFile(files, 'pytorch_model.bin', new Uint8Array(64));
    await expect(openPretrainedFolder(folderBlobs(pickle), 0)).rejects.toThrow(/pytorch_model\.bin: the weights are only in this format/);
  });
});
