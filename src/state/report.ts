/** The run report: one JSON file with the run's config, its metric history and what it was trained on. */
import type { DatasetInfo } from '../data/store/schema';
import type { EvalReport } from '../eval/rerank';
import type { TrainingState } from './training';

export function runReport(s: TrainingState, dataset: DatasetInfo | null, evaluation: EvalReport | null, now = new Date()): Record<string, unknown> {
  const { perQuery: _perQuery, ...evaluationSummary } = (evaluation ?? {}) as EvalReport & { perQuery?: unknown };
  return {
    generatedBy: 'Margin Studio',
    createdAt: now.toISOString(),
    runId: s.runId,
    state: s.state,
    config: s.config,
    backend: s.backend,
    parameters: s.parameterCount,
    steps: s.step,
    epoch: s.epoch,
    triplesPerSecond: s.triplesPerSecond,
    losses: s.losses,
    devEvaluations: s.devEvals,
    marginAgreement: s.agreement,
    lastCheckpoint: s.checkpoint,
    probe: {
      teacher: s.teacherProbe ? { pos: Array.from(s.teacherProbe.pos), neg: Array.from(s.teacherProbe.neg) } : null,
      student: s.lastProbe ? { step: s.lastProbe.step, pos: Array.from(s.lastProbe.pos), neg: Array.from(s.lastProbe.neg) } : null,
    },
    dataset: dataset
      ? { id: dataset.id, name: dataset.name, source: dataset.source, counts: dataset.counts, tokenizer: dataset.tokenizer, files: dataset.files ?? [], teacher: dataset.teacher ?? null, runs: dataset.runs ?? [] }
      : null,
    evaluation: evaluation ? evaluationSummary : null,
  };
}
