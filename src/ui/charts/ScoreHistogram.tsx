import { memo } from 'react';
import { useStore } from 'zustand';
import { trainingStore } from '../../state/training';
import { HistogramPanel } from './HistogramPanel';
import { useRedrawn } from './redraw';
import { SERIES } from './theme';

/**
 * Raw scores of teacher and student side by side, each on its own axis: their magnitudes differ, by design. The
 * training worker bins them (eval/probe-view.ts); each panel redraws in its own turn (redraw.ts).
 */
export const ScoreHistogram = memo(function ScoreHistogram() {
  const view = useStore(trainingStore, (s) => s.probeView);
  const teacherBins = useRedrawn(view?.scores.teacher.bins ?? null, !view);
  const studentBins = useRedrawn(view?.scores.student.bins ?? null, !view);
  // Means over positives and negatives together, as plain numbers for tests ('' until there are scores); the
  // teacher's is also the `data-mean` of score-histogram-teacher.
  return (
    <figure
      className="chart"
      data-testid="score-histogram"
      data-rendered={teacherBins && studentBins ? 'true' : 'false'}
      data-teacher-mean={view?.scores.teacher.stats.mean ?? ''}
      data-student-mean={view?.scores.student.stats.mean ?? ''}
      data-step={view?.step ?? ''}
    >
      <figcaption>Raw scores on the probe set (positives and negatives)</figcaption>
      {view ? (
        <div className="side-by-side">
          <HistogramPanel title="Teacher" binned={teacherBins} summary={view.scores.teacher.stats} color={SERIES.teacher} testId="score-histogram-teacher" />
          <HistogramPanel title={`Student, step ${view.step}`} binned={studentBins} summary={view.scores.student.stats} color={SERIES.student} testId="score-histogram-student" />
        </div>
      ) : (
        <p className="placeholder">Scores appear when training starts.</p>
      )}
    </figure>
  );
});
