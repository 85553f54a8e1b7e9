/**
 * Scores of an exported web folder, computed in Node as a page would: transformers.js (offline, on
 * onnxruntime-node's CPU binary) loads the unzipped folder and its tokenizer.json; texts are cut as the studio cut
 * them in training (a bi-encoder's query and passage each to its length; a cross-encoder's pair longest-first).
 */
import { AutoModel, AutoTokenizer, env, Tensor } from '@huggingface/transformers';
import { longestFirst } from '../src/text/pair-cut';
import { padded } from '../src/testing/onnx';

export interface Lengths {
  queryLength: number;
  passageLength: number;
}

type Row = [ids: number[], types: number[]];

/** Rows as the model's int64 inputs, padded with 0 (the export tests' `padded`). */
function inputs(rows: Row[]): Record<string, Tensor> {
  const b = padded(
    rows.map(([ids]) => ids),
    rows.map(([, types]) => types),
  );
  const int64 = (a: Int32Array | Float32Array) => new Tensor('int64', BigInt64Array.from(a, (v) => BigInt(v)), [b.rows, b.length]);
  return { input_ids: int64(b.ids), attention_mask: int64(b.mask), token_type_ids: int64(b.types) };
}

/** The scores of `passages` for `query`: fp32 (onnx/model.onnx) or q8 (onnx/model_quantized.onnx). */
export async function webScores(root: string, folder: string, kind: 'dot' | 'cat', query: string, passages: string[], lengths: Lengths, dtype: 'fp32' | 'q8'): Promise<number[]> {
  env.allowRemoteModels = false;
  env.localModelPath = root;
  const tokenizer = await AutoTokenizer.from_pretrained(folder);
  const model = await AutoModel.from_pretrained(folder, { dtype });
  const [cls, sep] = tokenizer.encode('') as [number, number];
  const tokens = (text: string) => tokenizer.encode(text, { add_special_tokens: false }) as number[];
  try {
    if (kind === 'dot') {
      const single = (text: string, most: number): Row => {
        const ids = [cls, ...tokens(text).slice(0, most), sep];
        return [ids, ids.map(() => 0)];
      };
      const embed = async (rows: Row[]) => ((await model(inputs(rows))) as { sentence_embedding: Tensor }).sentence_embedding.tolist() as number[][];
      const [q] = (await embed([single(query, lengths.queryLength)])) as [number[]];
      const vectors = await embed(passages.map((p) => single(p, lengths.passageLength)));
      return vectors.map((v) => v.reduce((sum, x, i) => sum + x * (q[i] as number), 0));
    }
    const q = tokens(query);
    const rows = passages.map((text): Row => {
      const p = tokens(text);
      const [kq, kp] = longestFirst(q.length, p.length, lengths.queryLength + lengths.passageLength);
      const ids = [cls, ...q.slice(0, kq), sep, ...p.slice(0, kp), sep];
      return [ids, ids.map((_, j) => (j < kq + 2 ? 0 : 1))];
    });
    return ((await model(inputs(rows))) as { logits: Tensor }).logits.tolist().map((r) => (r as number[])[0] as number);
  } finally {
    await model.dispose();
  }
}
