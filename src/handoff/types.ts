/** What the handoff's parts share: the model it carries and the rows it wrote. */
import type { HfFile } from '../export/hf';

export interface HandoffModel {
  /** What the model is: the library model's name, or the student's description. */
  name: string;
  /** The checkpoint the run began from, or the student as trained in the browser. */
  source: 'start' | 'current';
  files: readonly HfFile[];
  /** A Dense projection train.py must add (the run had one the folder lacks); 0 for none. */
  addDense: number;
}

export interface HandoffCounts {
  triples: number;
  queries: number;
  passages: number;
  qrels?: number;
  [run: `run ${string}`]: number;
}
