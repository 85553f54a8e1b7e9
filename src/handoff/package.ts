/**
 * The handoff zip: the dataset written back as plain files (streamed chunk by chunk), the model the run continues
 * from, `train.py` with the run's settings in `run.json`, pinned requirements and a README. Table reading comes in
 * as a function, so this works on IndexedDB in the worker and on anything else in a test.
 */
import { describeProvenance, provenanceJson } from '../data/provenance';
import { IdSet } from '../data/idset';
import type { DatasetInfo, TableColumns, TableName } from '../data/store/schema';
import type { RunConfig } from '../config/run-config';
import { approximations, fieldFates, trainSettings, type TrainSettings } from './mapping';
import { handoffReadme } from './readme';
import { qrelLines, runFileName, runLines, textLines, tripleLines } from './tables';
import { ZipStream } from './zip-stream';
import type { HandoffCounts, HandoffModel } from './types';

export type { HandoffCounts, HandoffModel };
import TRAIN_PY from './train.py?raw';
import REQUIREMENTS from './requirements.txt?raw';

export type ReadTable = <T extends TableName>(table: T, visit: (columns: TableColumns[T]) => void | Promise<void>) => Promise<void>;

export type HandoffPhase = 'triples' | 'qrels' | 'runs' | 'queries' | 'passages' | 'model';

export interface HandoffProgress {
  phase: HandoffPhase;
  /** Rows of the phase's table read so far, and in all. */
  done: number;
  total: number;
  /** Bytes of zip written so far. */
  bytes: number;
}

export interface HandoffInput {
  dataset: Pick<DatasetInfo, 'name' | 'counts' | 'runs' | 'files' | 'provenance'>;
  config: RunConfig;
  /** Steps the run had made in the browser when it was handed off. */
  stepsInBrowser: number;
  model: HandoffModel;
  /** Write every passage, not only those the triples use. */
  wholeCollection: boolean;
  read: ReadTable;
  progress?: (p: HandoffProgress) => void;
  now?: Date;
}

export interface HandoffResult {
  fileName: string;
  root: string;
  zip: Blob;
  counts: HandoffCounts;
  /** Passage ids the triples name that the collection does not hold. */
  missingPassages: number;
  settings: TrainSettings;
}

const encoder = new TextEncoder();
const json = (value: unknown) => encoder.encode(JSON.stringify(value, null, 1) + '\n');

/** A file-system-safe stem. */
export function safeName(s: string): string {
  return s.replace(/[^\w.-]+/g, '_').replace(/^[._]+|[._]+$/g, '') || 'dataset';
}

export async function writeHandoff(input: HandoffInput): Promise<HandoffResult> {
  const { config, dataset, model, read } = input;
  // Refusals first: nothing is read or written for a run that cannot go.
  const settings = trainSettings(config, model.addDense);
  if (dataset.counts.triples === 0) throw new Error(`dataset "${dataset.name}" has no teacher triples to hand off`);
  if (dataset.counts.queries === 0 || dataset.counts.passages === 0) throw new Error(`dataset "${dataset.name}" needs its queries and passages to hand off (train.py reads texts)`);

  const now = input.now ?? new Date();
  const root = `handoff-${safeName(config.arch)}-${safeName(config.loss)}-${safeName(dataset.name)}`;
  const zip = new ZipStream(now);
  const at = (path: string) => `${root}/${path}`;
  const report = (phase: HandoffPhase, done: number, total: number) => input.progress?.({ phase, done, total, bytes: zip.bytes });

  // Triples, remembering which queries and passages they name.
  const qids = new IdSet();
  const pids = new IdSet();
  let triples = 0;
  const tripleFile = zip.file(at('data/triples.tsv'));
  await read('triples', (t) => {
    for (let i = 0; i < t.qid.length; i++) {
      qids.add(t.qid[i] as number);
      pids.add(t.pos[i] as number);
      pids.add(t.neg[i] as number);
    }
    tripleFile.push(tripleLines(t));
    triples += t.qid.length;
    report('triples', triples, dataset.counts.triples);
  });
  tripleFile.end();

  const counts: HandoffCounts = { triples, queries: 0, passages: 0 };
  const data: Record<string, unknown> = { triples: 'data/triples.tsv', queries: 'data/queries.tsv', collection: 'data/collection.tsv', collection_is_whole: input.wholeCollection };

  // Qrels and runs come along for evaluation elsewhere; their queries are written too.
  if (dataset.counts.qrels > 0) {
    const f = zip.file(at('data/qrels.tsv'));
    let n = 0;
    await read('qrels', (q) => {
      for (const id of q.qid) qids.add(id);
      f.push(qrelLines(q));
      n += q.qid.length;
      report('qrels', n, dataset.counts.qrels);
    });
    f.end();
    counts.qrels = n;
    data.qrels = 'data/qrels.tsv';
  }
  const runs: { name: string; file: string }[] = [];
  if (dataset.counts.candidates > 0) {
    const taken = new Set<string>();
    const names = dataset.runs ?? [];
    for (let r = 0; r < Math.max(names.length, 1); r++) {
      const name = names[r] ?? 'run';
      const file = `data/runs/${runFileName(name, r, taken)}`;
      const f = zip.file(at(file));
      let n = 0;
      let seen = 0;
      await read('candidates', (c) => {
        for (let i = 0; i < c.qid.length; i++) if (c.run[i] === r) qids.add(c.qid[i] as number);
        const lines = runLines(c, r, safeName(name));
        f.push(lines.bytes);
        n += lines.rows;
        seen += c.qid.length;
        report('runs', seen, dataset.counts.candidates);
      });
      f.end();
      runs.push({ name, file });
      counts[`run ${name}`] = n;
    }
  }
  data.runs = runs;

  const queryFile = zip.file(at('data/queries.tsv'));
  let seenQueries = 0;
  await read('queries', (q) => {
    const lines = textLines(q, (id) => qids.has(id));
    queryFile.push(lines.bytes);
    counts.queries += lines.rows;
    seenQueries += q.id.length;
    report('queries', seenQueries, dataset.counts.queries);
  });
  queryFile.end();

  const passageFile = zip.file(at('data/collection.tsv'));
  let seenPassages = 0;
  let usedFound = 0;
  await read('passages', (p) => {
    for (const id of p.id) if (pids.has(id)) usedFound++;
    const lines = input.wholeCollection ? textLines(p) : textLines(p, (id) => pids.has(id));
    passageFile.push(lines.bytes);
    counts.passages += lines.rows;
    seenPassages += p.id.length;
    report('passages', seenPassages, dataset.counts.passages);
  });
  passageFile.end();
  const missingPassages = pids.size - usedFound;

  for (const f of model.files) zip.add(at(`model/${f.path}`), f.bytes, f.path.endsWith('.safetensors'));
  report('model', model.files.length, model.files.length);

  data.counts = counts;
  const fates = fieldFates(config);
  const run = {
    format: 'margin-studio-handoff',
    version: 1,
    exported_at: now.toISOString(),
    dataset: dataset.name,
    model: { folder: 'model', name: model.name, source: model.source },
    steps_in_browser: input.stepsInBrowser,
    train: settings,
    data,
    studio_config: config,
    not_carried: Object.fromEntries(Object.entries(fates).filter(([, f]) => !f.carried).map(([k, f]) => [k, f.carried ? '' : f.why])),
    approximated: approximations(config, settings),
  };
  zip.add(at('run.json'), json(run));
  zip.add(at('train.py'), encoder.encode(TRAIN_PY));
  zip.add(at('requirements.txt'), encoder.encode(REQUIREMENTS));
  if (dataset.provenance) zip.add(at('data/teacher-provenance.json'), encoder.encode(provenanceJson(dataset.provenance)));
  const teacherMade = dataset.provenance ? describeProvenance(dataset.provenance) : undefined;
  zip.add(at('README.md'), encoder.encode(handoffReadme({ root, config, settings, fates, approximations: run.approximated, counts, missingPassages, model, wholeCollection: input.wholeCollection, datasetName: dataset.name, stepsInBrowser: input.stepsInBrowser, ...(teacherMade ? { teacherMade } : {}) })));
  const blob = zip.finish();
  return { fileName: `${root}.zip`, root, zip: blob, counts, missingPassages, settings };
}
