import { useMemo } from 'react';
import { useStore } from 'zustand';
import { trainingStore } from '../../state/training';
import { HistogramPanel } from './HistogramPanel';
import { meanStd } from './histogram';

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Raw scores of teacher and student side by side, each on its own axis: their magnitudes differ, by design. */
export function ScoreHistogram() {
  const teacher = useStore(trainingStore, (s) => s.teacherProbe);
  const student = useStore(trainingStore, (s) => s.lastProbe);
  const t = useMemo(() => (teacher ? concat(teacher.pos, teacher.neg) : null), [teacher]);
  const s = useMemo(() => (student ? concat(student.pos, student.neg) : null), [student]);
  // Means over positives and negatives together, as plain numbers for tests ('' until there are scores); the
  // teacher's is also the `data-mean` of score-histogram-teacher.
  const teacherMean = useMemo(() => (t && t.length > 0 ? meanStd(t).mean : null), [t]);
  const studentMean = useMemo(() => (s && s.length > 0 ? meanStd(s).mean : null), [s]);
  return (
    <figure
      className="chart"
      data-testid="score-histogram"
      data-rendered={t && s ? 'true' : 'false'}
      data-teacher-mean={teacherMean ?? ''}
      data-student-mean={studentMean ?? ''}
      data-step={student?.step ?? ''}
    >
      <figcaption>Raw scores on the probe set (positives and negatives)</figcaption>
      {t && s ? (
        <div className="side-by-side">
          <HistogramPanel title="Teacher" values={t} color="#f5a524" testId="score-histogram-teacher" />
          <HistogramPanel title={`Student, step ${student?.step ?? 0}`} values={s} color="#4ea1ff" testId="score-histogram-student" />
        </div>
      ) : (
        <p className="placeholder">Scores appear when training starts.</p>
      )}
    </figure>
  );
}
