/**
 * The claim the exported tokenizer files exist for: transformers.js's `AutoTokenizer` loads an exported folder from
 * disk, as a page would from its server, and tokenizes as the studio does. tokenizer-json.test.ts checks the file
 * itself on every fixture text; this checks the library's loader picks it up with the right class and length.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { huggingFaceFolder } from './hf';
import { readPretrainedFolder } from '../model/pretrained/folder';
import { fixtureFolder, HF_MODELS } from '../testing/hf-fixtures';
import { fixtureTexts } from '../testing/fixtures';
import { WordPieceTokenizer } from '../text/wordpiece';

const SUMMARY = { baseModel: 'hf-tiny', teacherFiles: [], loss: 'Margin-MSE', steps: 1, learningRate: 1e-5, evaluation: [] };

describe('transformers.js loads the exported tokenizer', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'margin-tokenizer-'));
    env.allowRemoteModels = false;
    env.localModelPath = root + '/';
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each(HF_MODELS)('%s: the exported folder tokenizes every fixture query and MS MARCO passage as the studio', async (name) => {
    const model = readPretrainedFolder(fixtureFolder(name));
    for (const f of huggingFaceFolder(model, SUMMARY)) {
      const path = join(root, name, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.bytes);
    }
    const tokenizer = await AutoTokenizer.from_pretrained(name);
    expect(tokenizer.constructor.name).toBe(model.type === 'bert' ? 'BertTokenizer' : 'DistilBertTokenizer');
    expect(tokenizer.model_max_length).toBe(model.maxSeqLength ?? Math.min(model.dims.maxPositions, 512));
    const studio = new WordPieceTokenizer(model.vocab);
    const queries = [...fixtureTexts('msmarco-sample/queries.tsv'), ...fixtureTexts('nq-sample/queries.tsv')];
    const passages = fixtureTexts('msmarco-sample/collection.tsv');
    for (const text of [...queries, ...passages]) expect(tokenizer.encode(text), text).toEqual(Array.from(studio.encode(text)));
    // A pair as the cat student reads it: [CLS] q [SEP] p [SEP], token type 1 from the passage on.
    const q = studio.tokenize(queries[0] as string);
    const p = studio.tokenize(passages[0] as string);
    const pair = tokenizer(queries[0] as string, { text_pair: passages[0] as string, return_token_type_ids: true });
    expect(Array.from(pair.input_ids.data as BigInt64Array, Number)).toEqual([studio.specials.cls, ...q, studio.specials.sep, ...p, studio.specials.sep]);
    const types = pair.token_type_ids;
    if (!types) throw new Error('transformers.js returned no token types for a pair');
    expect(Array.from(types.data as BigInt64Array, Number)).toEqual([0, ...Array.from(q, () => 0), 0, ...Array.from(p, () => 1), 1]);
  });
});
