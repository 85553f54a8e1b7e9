/**
 * Teacher triples written as the paper's id-based TSV (`pos_score<TAB>neg_score<TAB>qid<TAB>pid_pos<TAB>pid_neg`), the
 * layout the importer reads back. Scores are written as the shortest decimal of the stored float32 read as a double,
 * which parses back to the same float32: a downloaded file re-imports as the same triples.
 */
import type { TripleColumns } from '../store/schema';

export function triplesTsv(t: TripleColumns): string {
  let out = '';
  for (let i = 0; i < t.qid.length; i++) out += `${t.posScore[i]}\t${t.negScore[i]}\t${t.qid[i]}\t${t.pos[i]}\t${t.neg[i]}\n`;
  return out;
}
