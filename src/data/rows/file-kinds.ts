/**
 * What each file in a dataset's training folder is, told by its name: the storage panel shows the bytes by kind.
 * BM25 indexes, passage vectors and teacher jobs are recognised by their prefix (`bm25…`, `vectors…`, `teacher-…`),
 * whatever follows it; a teacher's own token rows (`tokens-….rows`) are token rows.
 */
export const TRAINING_FILE_KINDS = ['rows', 'triples', 'bm25', 'vectors', 'teacher', 'other'] as const;
export type TrainingFileKind = (typeof TRAINING_FILE_KINDS)[number];
export type TrainingFileBytes = Record<TrainingFileKind, number>;

export const TRAINING_FILE_LABELS: Record<TrainingFileKind, string> = {
  rows: 'token rows',
  triples: 'triple records',
  bm25: 'BM25 index',
  vectors: 'passage vectors',
  teacher: 'unfinished teacher job',
  other: 'other files',
};

export function trainingFileKind(name: string): TrainingFileKind {
  if (name.startsWith('bm25')) return 'bm25';
  if (name.startsWith('vectors')) return 'vectors';
  // A teacher job's plan and scores (teacher/job.ts), until the job finishes and removes them.
  if (name.startsWith('teacher-')) return 'teacher';
  if (name.endsWith('.rows')) return 'rows';
  if (name.endsWith('.records')) return 'triples';
  return 'other';
}

export function emptyTrainingFileBytes(): TrainingFileBytes {
  return { rows: 0, triples: 0, bm25: 0, vectors: 0, teacher: 0, other: 0 };
}

export function totalBytes(parts: Readonly<Record<string, number>>): number {
  return Object.values(parts).reduce((a, b) => a + b, 0);
}
