/** What the dataset view reads of a stored dataset beyond its catalog entry: a few rows, and its files' problems. */
import { readFirstChunk } from '../data/store/dataset-db';
import { textAt } from '../data/store/columns';
import { describeProblem, type FileReportData } from '../data/formats/report';

export const SAMPLE_ROWS = 3;

export interface DatasetSamples {
  queries: { id: number; text: string }[];
  passages: { id: number; text: string }[];
  triples: { qid: number; pos: number; neg: number; posScore: number; negScore: number }[];
}

/** The first rows of each table: one chunk read per table, never the whole dataset. */
export async function loadDatasetSamples(id: string, rows = SAMPLE_ROWS): Promise<DatasetSamples> {
  const [queries, passages, triples] = await Promise.all([readFirstChunk(id, 'queries'), readFirstChunk(id, 'passages'), readFirstChunk(id, 'triples')]);
  const texts = (cols: typeof queries) => (cols ? Array.from({ length: Math.min(rows, cols.id.length) }, (_, r) => ({ id: cols.id[r] as number, text: textAt(cols, r) })) : []);
  return {
    queries: texts(queries),
    passages: texts(passages),
    triples: triples
      ? Array.from({ length: Math.min(rows, triples.qid.length) }, (_, r) => ({
          qid: triples.qid[r] as number,
          pos: triples.pos[r] as number,
          neg: triples.neg[r] as number,
          posScore: triples.posScore[r] as number,
          negScore: triples.negScore[r] as number,
        }))
      : [],
  };
}

/** One file's example problems as a person reads them ("teacher.tsv line 3: …"). */
export function fileProblems(f: FileReportData): { rejected: { line: number; text: string }[]; missing: { line: number; text: string }[] } {
  return {
    rejected: f.examples.map((p) => ({ line: p.line, text: describeProblem(f.name, p) })),
    missing: f.missingExamples.map((p) => ({ line: p.line, text: describeProblem(f.name, p) })),
  };
}
