import { describe, expect, it } from 'vitest';
import { trainingFolder } from './files.opfs';

describe('training files in OPFS', () => {
  it('refuses, in words, a context without synchronous access handles (there is no other data path)', async () => {
    await expect(trainingFolder('dataset', '1')).rejects.toThrow("the dataset's training files need the Origin Private File System's synchronous file access");
  });
});
