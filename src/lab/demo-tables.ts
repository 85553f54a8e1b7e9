/** The bundled demo dataset as in-memory training tables, tokenized as the studio tokenizes it by default or with `choice`. */
import { generateDemo } from '../data/demo/generator';
import { textColumns } from '../data/store/columns';
import { DEFAULT_TOKENIZER, loadTokenizer, tokenizerIdOf, type TextTokenizer, type TokenizerChoice } from '../text/tokenizers';
import type { TrainingTables } from '../train/batches';

export async function demoTables(choice: TokenizerChoice = DEFAULT_TOKENIZER): Promise<{ tables: TrainingTables; tokenizer: TextTokenizer }> {
  const demo = generateDemo();
  const tokenizer = await loadTokenizer(tokenizerIdOf(choice));
  const tables: TrainingTables = {
    passages: textColumns(demo.passages, tokenizer.tokenize),
    queries: textColumns(demo.queries, tokenizer.tokenize),
    triples: {
      qid: Int32Array.from(demo.triples, (t) => t.qid),
      pos: Int32Array.from(demo.triples, (t) => t.pos),
      neg: Int32Array.from(demo.triples, (t) => t.neg),
      posScore: Float32Array.from(demo.triples, (t) => t.posScore),
      negScore: Float32Array.from(demo.triples, (t) => t.negScore),
    },
  };
  return { tables, tokenizer };
}
