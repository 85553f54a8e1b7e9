/**
 * Evaluation and "try the student": the current student (if any) beside BM25, the teacher and imported runs on a
 * dataset's dev queries, or ranking its passages for a typed query. Both hold the student (a paused run waits).
 */
import { evalLengthsOf } from '../config/run-config';
import { getDataset } from '../data/store/catalog';
import type { EvalPhase, EvalReport } from '../eval/rerank';
import type { TryResult } from '../eval/try';
import { loadTokenizer } from '../text/tokenizers';
import type { WorkerContext } from './prepare';
import type { CurrentStudent } from './student';
import type { EvalData } from '../eval/eval-data';
import type { LibraryTeacher } from '../eval/session';

/** What the current student is, for its row in the evaluation table beside earlier ones. */
export function studentLabel(student: Pick<CurrentStudent, 'trainer' | 'model' | 'label'>): string {
  if (student.label) return student.label;
  const c = student.trainer.config;
  return `${c.arch} · ${c.loss} · ${student.trainer.stepsDone} steps in the browser${student.model ? ` from ${student.model}` : ''}`;
}

/** The key that changes whenever the student's weights do (a new run, or more steps of this one). */
export const weightsKey = (s: Pick<CurrentStudent, 'runId' | 'trainer'>) => `${s.runId}@${s.trainer.stepsDone}`;

export class EvaluationService {
  constructor(
    private readonly ctx: WorkerContext,
    /** Loads a library cross-encoder for the teacher's row (worker/teacher.ts). */
    private readonly teachers: { evaluationTeacher(modelId: string, lengths: { maxLength: number; maxQueryTokens: number }, onTokenizing: (done: number, total: number) => void): (data: EvalData) => Promise<LibraryTeacher> },
  ) {}

  private readonly progress = (phase: EvalPhase, done: number, total: number, rate: number) => this.ctx.emit({ type: 'eval-progress', phase, done, total, rate });

  /** Closes the dataset files evaluation holds open (before the dataset is deleted). */
  releaseFiles(): void {
    this.ctx.evals.release();
  }

  async evaluate(datasetId: string, options: { threshold: number; depth: number; dense: boolean; teacher?: { modelId: string; maxLength: number; maxQueryTokens: number } }): Promise<EvalReport> {
    const current = this.ctx.holder.beginEvaluating();
    try {
      const info = await getDataset(datasetId);
      // The student is evaluated with the kernels its run chose: it was built with them.
      const student = !current
        ? { none: 'no student has been trained since the page was opened' }
        : info && current.tokenizer !== info.tokenizer
          ? { none: `the student was trained on ${current.tokenizer} tokens, this dataset has ${info.tokenizer}` }
          : { model: current.trainer.model, lengths: evalLengthsOf(current.trainer.config), arch: current.trainer.config.arch, weightsKey: weightsKey(current) };
      const teacher = options.teacher;
      const library = teacher ? this.teachers.evaluationTeacher(teacher.modelId, teacher, (done, total) => this.progress('preparing', done, total, 0)) : undefined;
      const report = await this.ctx.evals.evaluate(datasetId, options, student, this.progress, library);
      if (current) report.studentLabel = studentLabel(current);
      return report;
    } finally {
      this.ctx.holder.endEvaluating();
    }
  }

  /** Ranks the active dataset's passages for a typed query with the current student. */
  async tryQuery(datasetId: string, text: string): Promise<TryResult> {
    const current = this.ctx.holder.beginTrying();
    try {
      const info = await getDataset(datasetId);
      if (!info) throw new Error(`dataset ${datasetId} does not exist`);
      const { trainer, tokenizer } = current;
      if (tokenizer !== info.tokenizer) throw new Error(`the student reads ${tokenizer} tokens, the dataset "${info.name}" has ${info.tokenizer}`);
      const textTokenizer = await loadTokenizer(info.tokenizer, info.vocab);
      return await this.ctx.evals.tryQuery(
        datasetId,
        text,
        { model: trainer.model, lengths: evalLengthsOf(trainer.config), weightsKey: weightsKey(current), arch: trainer.config.arch },
        (t) => textTokenizer.tokenize(t),
        this.progress,
      );
    } finally {
      this.ctx.holder.endEvaluating();
    }
  }
}
