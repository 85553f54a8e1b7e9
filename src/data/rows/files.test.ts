import { describe, expect, it } from 'vitest';
import { MemoryFolder } from './files';

const bytes = (...values: number[]) => Uint8Array.from(values);

async function contents(folder: MemoryFolder, name: string): Promise<number[]> {
  const file = await folder.open(name, false);
  const out = new Uint8Array(file.size());
  file.read(out, 0);
  file.close();
  return Array.from(out);
}

describe('MemoryFolder', () => {
  it('opens a file for update with its bytes kept, where open(create) empties it', async () => {
    const folder = new MemoryFolder();
    const first = await folder.open('f', true);
    first.write(bytes(1, 2, 3, 4), 0);
    first.close();

    const update = await folder.openForUpdate('f');
    expect(update.size()).toBe(4);
    update.write(bytes(9), 1);
    update.write(bytes(5), 4);
    update.close();
    expect(await contents(folder, 'f')).toEqual([1, 9, 3, 4, 5]);

    (await folder.open('f', true)).close();
    expect(await contents(folder, 'f')).toEqual([]);
  });

  it('creates a missing file for update, and refuses a second writer while one holds it', async () => {
    const folder = new MemoryFolder();
    const update = await folder.openForUpdate('new');
    expect(update.size()).toBe(0);
    expect(await folder.list()).toEqual(['new']);
    await expect(folder.openForUpdate('new')).rejects.toThrow('file new is open for writing elsewhere');
    update.close();
    await expect(folder.openForUpdate('new')).resolves.toBeDefined();
  });
});
