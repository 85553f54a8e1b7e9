/**
 * Making teacher triples as the page sees it: the choices (teachers, negatives, the false-negative rule), the job's
 * progress from the training worker, an unfinished job of the active dataset to resume, the new dataset made, and
 * its triples downloaded as the paper's id-based TSV.
 */
import { createStore } from 'zustand/vanilla';
import { NEGATIVE_SOURCES, type NegativeSource, type TeacherProvenance } from '../data/provenance';
import { forEachChunk } from '../data/store/dataset-db';
import type { DatasetInfo } from '../data/store/schema';
import { triplesTsv } from '../data/formats/triples-tsv';
import { JOB_FILE, jobStateOfText, jobSummary, type TeacherJobSpec, type TeacherJobSummary, type TeacherPhase } from '../teacher/job';
import { readDatasetFileText } from '../data/rows/files.opfs';
import { download } from '../util/download';
import { errorMessage } from '../util/errors';
import { adoptDataset, datasetStore } from './datasets';
import { onTrainerEvent, trainerClient } from './training';

export interface TeacherDraft {
  /** Library cross-encoders, by model id, in the order chosen. */
  teachers: string[];
  standardise: boolean;
  source: NegativeSource;
  fromRank: number;
  toRank: number;
  perPositive: number;
  seed: number;
  positiveGrade: number;
  maxLength: number;
  /** Query tokens kept before the pair is cut (the paper: 30). */
  maxQueryTokens: number;
  /** Drop negatives the teacher scores above `fraction` of their positive's score. */
  dropFalseNegatives: boolean;
  fraction: number;
  ruleOn: 'sigmoid' | 'scores';
}

export type TeacherRunState = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

export interface TeacherState {
  draft: TeacherDraft;
  state: TeacherRunState;
  error: string;
  progress: { phase: TeacherPhase; done: number; total: number; rate: number } | null;
  /** Pairs scored (over all teachers) by the last job, as far as it got. */
  pairs: number;
  /** The last finished job: the dataset it made and how. */
  result: { datasetId: string; name: string; provenance: TeacherProvenance } | null;
  /** An unfinished job of the active dataset (cut off by a reload, a closed tab or a cancel). */
  unfinished: (TeacherJobSummary & { datasetId: string }) | null;
  downloadState: 'idle' | 'running' | 'done' | 'error';
  downloadError: string;
}

export const DEFAULT_TEACHER_DRAFT: TeacherDraft = {
  teachers: [],
  standardise: true,
  source: 'bm25',
  fromRank: 1,
  toRank: 50,
  perPositive: 4,
  seed: 42,
  positiveGrade: 1,
  maxLength: 256,
  maxQueryTokens: 30,
  dropFalseNegatives: false,
  fraction: 0.95,
  ruleOn: 'sigmoid',
};

const DRAFT_KEY = 'margin-studio.teacher-draft';

/** The draft kept from the last visit (a reload keeps the choices), each field checked against the default's type. */
export function storedDraft(text: string | null): TeacherDraft {
  if (!text) return DEFAULT_TEACHER_DRAFT;
  try {
    const saved = JSON.parse(text) as Record<string, unknown>;
    const draft: Record<string, unknown> = { ...DEFAULT_TEACHER_DRAFT };
    for (const [k, v] of Object.entries(DEFAULT_TEACHER_DRAFT)) {
      const s = saved[k];
      if (Array.isArray(v) ? Array.isArray(s) && s.every((x) => typeof x === 'string') : typeof s === typeof v) draft[k] = s;
    }
    if (!(NEGATIVE_SOURCES as readonly unknown[]).includes(draft.source)) draft.source = DEFAULT_TEACHER_DRAFT.source;
    if (draft.ruleOn !== 'sigmoid' && draft.ruleOn !== 'scores') draft.ruleOn = DEFAULT_TEACHER_DRAFT.ruleOn;
    return draft as unknown as TeacherDraft;
  } catch {
    return DEFAULT_TEACHER_DRAFT;
  }
}

function readStoredDraft(): TeacherDraft {
  try {
    return storedDraft(globalThis.localStorage?.getItem(DRAFT_KEY) ?? null);
  } catch {
    return DEFAULT_TEACHER_DRAFT;
  }
}

export const teacherStore = createStore<TeacherState>()(() => ({
  draft: readStoredDraft(),
  state: 'idle',
  error: '',
  progress: null,
  pairs: 0,
  result: null,
  unfinished: null,
  downloadState: 'idle',
  downloadError: '',
}));

onTrainerEvent((ev) => {
  if (ev.type !== 'teacher-progress' || teacherStore.getState().state !== 'running') return;
  const progress = { phase: ev.phase, done: ev.done, total: ev.total, rate: ev.rate };
  teacherStore.setState(ev.phase === 'scoring' ? { progress, pairs: ev.done } : { progress });
});

export function setTeacherDraft(patch: Partial<TeacherDraft>): void {
  const draft = { ...teacherStore.getState().draft, ...patch };
  teacherStore.setState({ draft });
  try {
    globalThis.localStorage?.setItem(DRAFT_KEY, JSON.stringify(draft));
  } catch {
    // A storage that refuses (a private window): the choices last as long as the page.
  }
}

/** The draft a spec was made from (a resumed job shows its own choices). */
export function draftOf(spec: TeacherJobSpec): TeacherDraft {
  return {
    teachers: spec.teachers.map((t) => t.id),
    standardise: spec.standardise,
    source: spec.source,
    ...spec.negatives,
    positiveGrade: spec.positiveGrade,
    maxLength: spec.maxLength,
    maxQueryTokens: spec.maxQueryTokens,
    dropFalseNegatives: spec.rule !== null,
    fraction: spec.rule?.fraction ?? DEFAULT_TEACHER_DRAFT.fraction,
    ruleOn: spec.rule?.on ?? DEFAULT_TEACHER_DRAFT.ruleOn,
  };
}

/** The job spec the draft describes, for a dataset; model names from the library list. */
export function specOf(draft: TeacherDraft, datasetId: string, models: readonly { id: string; name: string }[]): TeacherJobSpec {
  const teachers = draft.teachers.map((id) => {
    const m = models.find((x) => x.id === id);
    if (!m) throw new Error(`model ${id} is no longer in the model library`);
    return { id, name: m.name };
  });
  return {
    datasetId,
    teachers,
    standardise: draft.standardise && teachers.length > 1,
    source: draft.source,
    negatives: { fromRank: draft.fromRank, toRank: draft.toRank, perPositive: draft.perPositive, seed: draft.seed },
    positiveGrade: draft.positiveGrade,
    maxLength: draft.maxLength,
    maxQueryTokens: draft.maxQueryTokens,
    rule: draft.dropFalseNegatives ? { fraction: draft.fraction, on: draft.ruleOn } : null,
  };
}

/** Pairs per block between two saves of the job (a test may ask for small blocks: `?teacher-block=4`). */
function blockPairs(): number | undefined {
  const asked = Number(new URLSearchParams(globalThis.location?.search ?? '').get('teacher-block'));
  return Number.isInteger(asked) && asked > 0 ? asked : undefined;
}

/** Runs (or resumes, for the same spec) a job; the new dataset becomes the active one. */
export async function runTeacherJob(spec: TeacherJobSpec): Promise<void> {
  if (teacherStore.getState().state === 'running') return;
  teacherStore.setState({ state: 'running', error: '', progress: null, pairs: 0, result: null, unfinished: null });
  try {
    const block = blockPairs();
    const { dataset, provenance } = await trainerClient().request({ type: 'teacher-make', datasetId: spec.datasetId, spec, ...(block ? { blockPairs: block } : {}) });
    teacherStore.setState({ state: 'done', progress: null, pairs: provenance.pairsScored * provenance.teachers.length, result: { datasetId: dataset.id, name: dataset.name, provenance } });
    await adoptDataset(dataset.id);
  } catch (err) {
    const message = errorMessage(err);
    const cancelled = message.startsWith('cancelled');
    teacherStore.setState({ state: cancelled ? 'cancelled' : 'error', error: message, progress: null });
    await refreshTeacherJob(datasetStore.getState().datasets.find((d) => d.id === spec.datasetId) ?? null);
  }
}

export async function makeTeacherTriples(datasetId: string, models: readonly { id: string; name: string }[]): Promise<void> {
  let spec: TeacherJobSpec;
  try {
    spec = specOf(teacherStore.getState().draft, datasetId, models);
    if (spec.teachers.length === 0) throw new Error('choose at least one cross-encoder from the model library as the teacher');
  } catch (err) {
    teacherStore.setState({ state: 'error', error: errorMessage(err) });
    return;
  }
  await runTeacherJob(spec);
}

export async function cancelTeacherJob(): Promise<void> {
  await trainerClient().request({ type: 'teacher-cancel' });
}

/** A read the worker may briefly block (it holds a file while writing the job's state): tried again a few times. */
async function readWithRetry<T>(read: () => Promise<T>, tries = 4, waitMs = 250): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await read();
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((resolve) => setTimeout(resolve, waitMs * i));
    }
  }
}

/**
 * Whether the dataset's current version has an unfinished job: its state file read here, so that opening the page
 * does not start the training worker to ask.
 */
export async function refreshTeacherJob(dataset: Pick<DatasetInfo, 'id' | 'updatedAt'> | null): Promise<void> {
  if (!dataset) {
    teacherStore.setState({ unfinished: null });
    return;
  }
  try {
    const state = jobStateOfText(await readWithRetry(() => readDatasetFileText(dataset.id, String(dataset.updatedAt), JOB_FILE)));
    const current = state !== null && state.datasetKey === `${dataset.id}@${dataset.updatedAt}`;
    teacherStore.setState({ unfinished: current ? { ...jobSummary(state), datasetId: dataset.id } : null });
  } catch {
    // No file system for this page (a private window may refuse it): nothing to offer.
    teacherStore.setState({ unfinished: null });
  }
}

export async function resumeTeacherJob(): Promise<void> {
  const job = teacherStore.getState().unfinished;
  if (!job) return;
  setTeacherDraft(draftOf(job.spec));
  await runTeacherJob(job.spec);
}

export async function discardTeacherJob(): Promise<void> {
  const job = teacherStore.getState().unfinished;
  if (!job) return;
  try {
    await trainerClient().request({ type: 'teacher-discard', datasetId: job.datasetId });
    teacherStore.setState({ unfinished: null });
  } catch (err) {
    teacherStore.setState({ error: errorMessage(err) });
  }
}

/** The dataset's teacher triples as the paper's id-based TSV, read a stored chunk at a time. */
export async function downloadTriplesTsv(dataset: Pick<DatasetInfo, 'id' | 'name'>): Promise<void> {
  teacherStore.setState({ downloadState: 'running', downloadError: '' });
  try {
    const parts: string[] = [];
    await forEachChunk(dataset.id, 'triples', (t) => {
      parts.push(triplesTsv(t));
    });
    if (parts.length === 0) throw new Error(`dataset "${dataset.name}" has no teacher triples to download`);
    download(`${dataset.name.replace(/[^\w.-]+/g, '_')}.teacher-ids.tsv`, new Blob(parts, { type: 'text/tab-separated-values' }));
    teacherStore.setState({ downloadState: 'done' });
  } catch (err) {
    teacherStore.setState({ downloadState: 'error', downloadError: errorMessage(err) });
  }
}
