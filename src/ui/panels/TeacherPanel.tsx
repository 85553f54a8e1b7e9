import { useEffect } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { activeDataset, datasetStore } from '../../state/datasets';
import { modelsStore } from '../../state/models';
import {
  cancelTeacherJob,
  discardTeacherJob,
  downloadTriplesTsv,
  makeTeacherTriples,
  refreshTeacherJob,
  resumeTeacherJob,
  setTeacherDraft,
  teacherStore,
  type TeacherDraft,
} from '../../state/teacher';
import type { TeacherProvenance } from '../../data/provenance';
import { NEGATIVE_SOURCES, type NegativeSource } from '../../data/provenance';
import { ProgressBar } from '../ProgressBar';
/** A count as a person reads it: whole, with thousands separated. */
const count = (n: number) => Math.round(n).toLocaleString('en-US');

const SOURCE_LABELS: Record<NegativeSource, string> = {
  bm25: "BM25's top ranks over the whole collection",
  dense: "the current dot student's top ranks (hard negatives)",
  run: 'the first imported run (candidates)',
};

const PHASE_LABELS = {
  preparing: 'Reading the dataset (token rows, BM25 index)',
  planning: 'Drawing negatives',
  tokenizing: "Tokenizing the passages with the teacher's vocabulary",
  scoring: 'Scoring pairs with the teacher',
  writing: 'Writing the triples',
  copying: 'Copying texts and qrels into the new dataset',
} as const;

const STATE_TEXT = { idle: 'idle', running: 'scoring…', done: 'done', error: 'failed', cancelled: 'cancelled' } as const;

/** How a dataset's triples were made, in words: shown in the dataset view and after a job. */
export function ProvenanceSummary({ p, testId }: { p: TeacherProvenance; testId: string }) {
  return (
    <dl className="summary" data-testid={testId} data-teachers={p.teachers.length} data-source={p.negatives.source} data-triples={p.triples} data-dropped={p.dropped} data-pairs={p.pairsScored}>
      <dt>Teacher</dt>
      <dd>
        {p.teachers.map((t) => t.name).join(' + ')}
        {p.teachers.length > 1 ? (p.standardised ? ' (mean of z-scored scores)' : ' (mean of raw scores)') : ''}, queries cut at {p.maxQueryTokens} tokens, pairs at {p.maxLength}
      </dd>
      <dt>Negatives</dt>
      <dd>
        {p.negatives.perPositive} per positive from {p.negatives.source} ranks {p.negatives.fromRank}–{p.negatives.toRank}, seed {p.negatives.seed}; positives: qrels grade ≥ {p.positiveGrade}
      </dd>
      <dt>False negatives</dt>
      <dd>{p.falseNegatives ? `dropped above ${p.falseNegatives.fraction} of the positive's ${p.falseNegatives.on === 'sigmoid' ? 'sigmoid score' : 'score'}: ${count(p.dropped)} triples` : 'kept (no rule)'}</dd>
      <dt>Made</dt>
      <dd>
        {count(p.pairsScored)} pairs scored → {count(p.triples)} triples
      </dd>
    </dl>
  );
}

function NumberField({ label, field, testId, min, max, step }: { label: string; field: keyof TeacherDraft; testId: string; min?: number; max?: number; step?: number }) {
  const value = useStore(teacherStore, (s) => s.draft[field]);
  const running = useStore(teacherStore, (s) => s.state === 'running');
  return (
    <label className="field">
      {label}
      <input type="number" value={Number(value)} min={min} max={max} step={step ?? 1} disabled={running} data-testid={testId} onChange={(e) => setTeacherDraft({ [field]: Number(e.target.value) })} />
    </label>
  );
}

/**
 * Teacher triples for a dataset that has none: cross-encoders of the model library score (query, positive) and
 * (query, mined negative) pairs, and the scored triples become a new dataset to distil from.
 */
export function TeacherPanel() {
  const active = useStore(datasetStore, activeDataset);
  const crossEncoders = useStore(modelsStore, useShallow((s) => s.models.filter((m) => m.kind === 'cross-encoder')));
  const t = useStore(teacherStore);
  const d = t.draft;
  const running = t.state === 'running';
  const activeId = active?.id ?? null;
  const version = active?.updatedAt;
  useEffect(() => {
    void refreshTeacherJob(activeId && version !== undefined ? { id: activeId, updatedAt: version } : null);
  }, [activeId, version]);
  // A length the chosen teachers cannot read is brought down to the most they can.
  const limit = Math.min(512, ...crossEncoders.filter((m) => d.teachers.includes(m.id)).map((m) => m.dims.maxPositions));
  useEffect(() => {
    if (d.maxLength > limit) setTeacherDraft({ maxLength: limit });
  }, [limit, d.maxLength]);
  const unfinished = t.unfinished && t.unfinished.datasetId === activeId ? t.unfinished : null;
  const noQrels = active !== undefined && active.counts.qrels === 0;
  const p = t.progress;
  const result = t.result;

  return (
    <section className="panel" id="step-teacher" aria-labelledby="teacher-title">
      <h2 id="teacher-title">Teacher scores for your own data</h2>
      <p className="hint">
        No teacher file? Cross-encoders from the model library score each query's positives (from the qrels) and negatives mined from a ranking; the scored triples
        become a new dataset to distil from. Import a cross-encoder under <a href="#step-start">Start from</a> first.
      </p>
      {noQrels && <p className="note">The active dataset has no qrels: the teacher needs to know each query's positives.</p>}
      <div className="grid-form">
        <label className="field">
          Teachers (several: their mean)
          <select multiple value={d.teachers} disabled={running} data-testid="teacher-models" size={Math.min(4, Math.max(2, crossEncoders.length))} onChange={(e) => setTeacherDraft({ teachers: [...e.target.selectedOptions].map((o) => o.value) })}>
            {crossEncoders.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} ({m.dims.layers} layers, hidden {m.dims.hidden})
              </option>
            ))}
          </select>
          {crossEncoders.length === 0 && <span className="note">no cross-encoder in the model library yet</span>}
        </label>
        <label className="field">
          Negatives from
          <select value={d.source} disabled={running} data-testid="teacher-source" onChange={(e) => setTeacherDraft({ source: e.target.value as NegativeSource })}>
            {NEGATIVE_SOURCES.map((s) => (
              <option key={s} value={s}>
                {SOURCE_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {d.teachers.length > 1 && (
        <label className="field inline">
          <input type="checkbox" checked={d.standardise} disabled={running} data-testid="teacher-standardise" onChange={(e) => setTeacherDraft({ standardise: e.target.checked })} /> z-score each teacher before the mean
        </label>
      )}
      <div className="teacher-grid">
        <NumberField label="ranks from" field="fromRank" testId="teacher-from-rank" min={1} />
        <NumberField label="to" field="toRank" testId="teacher-to-rank" min={1} />
        <NumberField label="negatives per positive" field="perPositive" testId="teacher-per-positive" min={1} />
        <NumberField label="seed" field="seed" testId="teacher-seed" />
        <NumberField label="positives: qrels grade at least" field="positiveGrade" testId="teacher-grade" min={0} />
        <NumberField label="query tokens kept" field="maxQueryTokens" testId="teacher-query-tokens" min={1} />
        <NumberField label={`pair max length (tokens, ≤ ${limit})`} field="maxLength" testId="teacher-max-length" min={4} max={limit} />
      </div>
      <label className="field inline">
        <input type="checkbox" checked={d.dropFalseNegatives} disabled={running} data-testid="teacher-drop-false" onChange={(e) => setTeacherDraft({ dropFalseNegatives: e.target.checked })} /> Drop likely false negatives: a
        negative the teacher scores above a fraction of its positive's score
      </label>
      <div className="teacher-grid">
        <NumberField label="fraction" field="fraction" testId="teacher-fraction" min={0.01} max={1} step={0.01} />
        <label className="field">
          compared as
          <select value={d.ruleOn} disabled={running} data-testid="teacher-rule-on" onChange={(e) => setTeacherDraft({ ruleOn: e.target.value === 'scores' ? 'scores' : 'sigmoid' })}>
            <option value="sigmoid">sigmoid (logits)</option>
            <option value="scores">raw score</option>
          </select>
        </label>
      </div>
      <div className="row">
        <button data-testid="teacher-make" disabled={running || !active || d.teachers.length === 0} onClick={() => active && void makeTeacherTriples(active.id, crossEncoders)}>
          Make teacher triples
        </button>
        {running && (
          <button className="secondary" data-testid="teacher-cancel" onClick={() => void cancelTeacherJob()}>
            Cancel
          </button>
        )}
        <span className={`badge state-${t.state}`} data-testid="teacher-status" data-state={t.state} data-pairs={t.pairs} data-triples={result?.provenance.triples ?? 0} data-dropped={result?.provenance.dropped ?? 0}>
          {STATE_TEXT[t.state]}
        </span>
      </div>
      {unfinished && !running && (
        <div className="row note" data-testid="teacher-unfinished" data-scored={unfinished.scored} data-total={unfinished.total}>
          <span>
            An unfinished job on this dataset:{' '}
            {unfinished.scored < unfinished.total ? `${count(unfinished.scored)} of ${count(unfinished.total)} pairs scored` : `all ${count(unfinished.total)} pairs scored, the triples not written yet`} (
            {unfinished.spec.teachers.map((x) => x.name).join(' + ')}, {unfinished.spec.source} ranks {unfinished.spec.negatives.fromRank}–{unfinished.spec.negatives.toRank}). Make teacher triples with the same
            settings (any false-negative rule) goes on from there too.
          </span>
          <button data-testid="teacher-resume" onClick={() => void resumeTeacherJob()}>
            Resume
          </button>
          <button className="secondary" data-testid="teacher-discard" onClick={() => void discardTeacherJob()}>
            Discard
          </button>
        </div>
      )}
      {running && p && (
        <div data-testid="teacher-progress" data-phase={p.phase} data-done={p.phase === 'scoring' ? p.done : t.pairs} data-total={p.phase === 'scoring' ? p.total : (unfinished?.total ?? 0)}>
          <ProgressBar label={PHASE_LABELS[p.phase]} done={p.done} total={p.total} rate={p.rate} unit={p.phase === 'scoring' ? 'pairs' : 'rows'} />
        </div>
      )}
      {t.error && (t.state === 'error' || t.state === 'cancelled') && (
        <p className={t.state === 'error' ? 'error' : 'note'} data-testid="teacher-error" role={t.state === 'error' ? 'alert' : undefined}>
          {t.error}
        </p>
      )}
      {result && t.state === 'done' && (
        <>
          <p className="note">
            Made “{result.name}”, now the active dataset: train on it as on any teacher file.
          </p>
          <ProvenanceSummary p={result.provenance} testId="teacher-result" />
        </>
      )}
      <div className="row">
        <button className="secondary" data-testid="teacher-download" disabled={!active || active.counts.triples === 0 || t.downloadState === 'running'} onClick={() => active && void downloadTriplesTsv(active)}>
          Download the active dataset's triples (id-based TSV)
        </button>
        {t.downloadState === 'error' && <span className="error">{t.downloadError}</span>}
      </div>
    </section>
  );
}
