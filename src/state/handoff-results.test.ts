import { describe, expect, it } from 'vitest';
import { keepEarlier } from './evaluation';
import { handoffRun, runLabel } from './runs';
import type { EvalReport, SystemRow } from '../eval/rerank';
import { DEFAULT_RUN_CONFIG } from '../config/run-config';

const row = (system: string, mrr10: number): SystemRow => ({ system, mrr10, ndcg10: mrr10, recall100: 1, recall1000: 1, map: mrr10, queries: 10, note: '' });
function report(label: string | undefined, mrr: number, depth = 100): EvalReport {
  return { threshold: 1, depth, candidates: 'BM25', devQueries: 10, rows: [row('student', mrr), row('bm25', 0.2)], perQuery: [], topSystem: 'student', studentNote: '', studentPairs: 0, studentSeconds: 0, bm25SecondsPerQuery: 0, ...(label ? { studentLabel: label } : {}) };
}

describe('students kept beside the one evaluated now', () => {
  it('keeps the previous student of the same dataset and settings under its label, once', () => {
    const a = report('dot · margin-mse · 6 steps in the browser', 0.3);
    const b = report('handoff-output (as imported)', 0.4);
    const kept = keepEarlier([], a, b, true);
    expect(kept).toEqual([{ label: 'dot · margin-mse · 6 steps in the browser', row: row('student', 0.3) }]);
    // Evaluating the browser run again: its old row goes (it is the student now), the imported one stays.
    const again = keepEarlier(kept, b, report('dot · margin-mse · 6 steps in the browser', 0.31), true);
    expect(again.map((e) => e.label)).toEqual(['handoff-output (as imported)']);
    // Another dataset, or other settings, start afresh: the rows would not compare.
    expect(keepEarlier(kept, b, report('x', 0.1), false)).toEqual([]);
    expect(keepEarlier(kept, b, report('x', 0.1, 50), true)).toEqual([]);
    // A report without a student row or label adds nothing.
    expect(keepEarlier([], report(undefined, 0.2), b, true)).toEqual([]);
  });
});

describe('a PyTorch run in the history', () => {
  it('keeps its losses per step and says where it ran', () => {
    const history = { config: { ...DEFAULT_RUN_CONFIG, start: 'm', steps: 10 }, points: [{ step: 5, loss: 2 }, { step: 10, loss: 1 }], steps: 10, triplesPerSecond: 50, seconds: 3, device: '4 × H200', source: 'start' as const, stepsInBrowser: 6, dataset: 'sample' };
    const run = handoffRun(history, { name: 'out', parameters: 1234 }, 'ds-1', 1000);
    expect(run).toMatchObject({ datasetId: 'ds-1', source: 'pytorch', modelName: 'out', parameterCount: 1234, triplesPerSecond: 50, endedAs: 'done', backend: 'PyTorch on 4 × H200' });
    expect(run.losses).toEqual([2, 2, 2, 2, 2, 1, 1, 1, 1, 1]);
    expect(runLabel(run)).toBe('dot · margin-mse · PyTorch on 4 × H200');
  });
});
