/**
 * What a dataset's bytes are made of, as one stacked bar per dataset with a shared legend: its IndexedDB tables
 * (texts, token ids, triples, qrels, candidates) and its training files in the Origin Private File System (token
 * rows, triple records, BM25 index, passage vectors, other files). Plain CSS: each part a coloured segment whose
 * width is its share of the dataset's bytes.
 */
import { TRAINING_FILE_KINDS, TRAINING_FILE_LABELS, type TrainingFileBytes, type TrainingFileKind } from '../../data/rows/file-kinds';
import { STORED_PARTS, type DatasetInfo, type StoredPart } from '../../data/store/schema';
import { fmt } from '../format';

/** One segment: its key (which is also its colour, as the CSS class `part-<key>`), what it is, and its bytes. */
interface Segment {
  key: string;
  label: string;
  bytes: number;
}

const STORED_LABELS: Record<StoredPart | 'tables', string> = {
  text: 'texts',
  tokens: 'token ids',
  triples: 'triples',
  qrels: 'qrels',
  candidates: 'candidates',
  tables: 'stored tables (not split: imported before parts were counted)',
};

/**
 * The storage row's `data-*` attribute for each part, in bytes (plain numbers). IndexedDB: `data-text-bytes`,
 * `data-token-bytes`, `data-triple-bytes`, `data-qrel-bytes`, `data-candidate-bytes` (absent for a dataset stored
 * before parts were counted; with them, they add up to `data-bytes`). Training files: `data-token-row-bytes`,
 * `data-triple-record-bytes`, `data-bm25-bytes`, `data-vector-bytes`, `data-teacher-job-bytes`, `data-other-file-bytes` (adding up to
 * `data-training-bytes`).
 */
const STORED_ATTRIBUTES: Record<StoredPart, string> = {
  text: 'data-text-bytes',
  tokens: 'data-token-bytes',
  triples: 'data-triple-bytes',
  qrels: 'data-qrel-bytes',
  candidates: 'data-candidate-bytes',
};
const FILE_ATTRIBUTES: Record<TrainingFileKind, string> = {
  rows: 'data-token-row-bytes',
  triples: 'data-triple-record-bytes',
  bm25: 'data-bm25-bytes',
  vectors: 'data-vector-bytes',
  teacher: 'data-teacher-job-bytes',
  other: 'data-other-file-bytes',
};

export function partAttributes(d: DatasetInfo, files: TrainingFileBytes | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (d.parts) for (const p of STORED_PARTS) out[STORED_ATTRIBUTES[p]] = d.parts[p];
  for (const k of TRAINING_FILE_KINDS) out[FILE_ATTRIBUTES[k]] = files?.[k] ?? 0;
  return out;
}

function segments(d: DatasetInfo, files: TrainingFileBytes | undefined): Segment[] {
  const stored: Segment[] = d.parts
    ? STORED_PARTS.map((p) => ({ key: `db-${p}`, label: STORED_LABELS[p], bytes: (d.parts as Record<StoredPart, number>)[p] }))
    : [{ key: 'db-tables', label: STORED_LABELS.tables, bytes: d.bytes }];
  const training = TRAINING_FILE_KINDS.map((k) => ({ key: `file-${k}`, label: `${TRAINING_FILE_LABELS[k]} (training file)`, bytes: files?.[k] ?? 0 }));
  return [...stored, ...training].filter((s) => s.bytes > 0);
}

function mb(bytes: number): string {
  return `${fmt(bytes / 1e6)} MB`;
}

export function PartsBar({ dataset, files }: { dataset: DatasetInfo; files: TrainingFileBytes | undefined }) {
  const parts = segments(dataset, files);
  const total = parts.reduce((n, s) => n + s.bytes, 0);
  if (total === 0) return <span className="hint">–</span>;
  return (
    <div className="parts-bar" data-testid="storage-parts" role="img" aria-label={parts.map((s) => `${s.label} ${mb(s.bytes)}`).join(', ')}>
      {parts.map((s) => (
        <span key={s.key} className={`part part-${s.key}`} style={{ width: `${(100 * s.bytes) / total}%` }} title={`${s.label}: ${mb(s.bytes)}`} />
      ))}
    </div>
  );
}

/** The colours of the parts that any dataset listed has. */
export function PartsLegend({ datasets, files }: { datasets: readonly DatasetInfo[]; files: Record<string, TrainingFileBytes> | undefined }) {
  const seen = new Map<string, string>();
  for (const d of datasets) for (const s of segments(d, files?.[d.id])) seen.set(s.key, s.label);
  if (seen.size === 0) return null;
  return (
    <ul className="parts-legend" data-testid="storage-legend">
      {[...seen].map(([key, label]) => (
        <li key={key}>
          <span className={`part part-${key}`} />
          {label}
        </li>
      ))}
    </ul>
  );
}
