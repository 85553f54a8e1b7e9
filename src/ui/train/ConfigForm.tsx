import { useMemo } from 'react';
import { useStore } from 'zustand';
import { LOSSES, LOSS_LABELS } from '../../config/loss-names';
import { BACKENDS, POOLINGS, type RunConfig } from '../../config/run-config';
import { KERNEL_CHOICES } from '../../model/kernels/choice';
import { isArch, studentOf, STUDENTS, type Arch } from '../../model/students/registry';
import { pairCutHelp, showsField } from '../../model/students/descriptor';
import { configDraft, configDraftStore, microBatchNote, plannedSize } from '../../state/config-draft';
import { useActiveTokenizer, useRunActive } from './hooks';
import { modelsStore } from '../../state/models';

type NumericKey = Exclude<keyof RunConfig, 'arch' | 'backend' | 'loss' | 'standardizeTeacher' | 'pooling' | 'kernels'>;
interface NumberFieldSpec {
  key: NumericKey;
  label: string;
  testId: string;
  step?: string;
}

const FIELDS: readonly NumberFieldSpec[] = [
  { key: 'steps', label: 'Steps', testId: 'config-steps' },
  { key: 'batchSize', label: 'Batch size', testId: 'config-batch-size' },
  { key: 'microBatch', label: 'Micro-batch (0: whole batch)', testId: 'config-micro-batch' },
  { key: 'learningRate', label: 'Learning rate', testId: 'config-learning-rate', step: 'any' },
  { key: 'seed', label: 'Seed', testId: 'config-seed' },
  { key: 'hidden', label: 'Hidden size', testId: 'config-hidden' },
  { key: 'heads', label: 'Attention heads', testId: 'config-heads' },
  { key: 'ffn', label: 'Feed-forward size', testId: 'config-ffn' },
  { key: 'layers', label: 'Layers', testId: 'config-layers' },
  { key: 'jointLayers', label: 'Joint layers (above the split)', testId: 'config-joint-layers' },
  { key: 'compressDim', label: 'Token vector size', testId: 'config-compress-dim' },
  { key: 'queryLength', label: 'Query tokens', testId: 'config-query-length' },
  { key: 'passageLength', label: 'Passage tokens', testId: 'config-passage-length' },
  { key: 'probeSize', label: 'Probe triples', testId: 'config-probe-size' },
  { key: 'evalEvery', label: 'Dev eval every (steps, 0 = off)', testId: 'config-eval-every' },
  { key: 'checkpointEvery', label: 'Checkpoint every (steps, 0 = each minute)', testId: 'config-checkpoint-every' },
];

/** One field's text from the draft: a keystroke re-renders that field only. */
function useDraftField(key: keyof RunConfig): string | undefined {
  return useStore(configDraftStore, (s) => s.draft[key]);
}

function useDraftArch(): Arch {
  const arch = useDraftField('arch');
  return isArch(arch) ? arch : 'dot';
}

function NumberField({ spec, disabled, fromModel, help }: { spec: NumberFieldSpec; disabled: boolean; fromModel?: boolean; help?: string }) {
  const value = useDraftField(spec.key);
  return (
    <label className="field" title={fromModel ? 'a pretrained start brings its own size' : help}>
      {spec.label}
      {fromModel ? ' (from the model)' : ''}
      <input type="number" step={spec.step ?? '1'} data-testid={spec.testId} value={value ?? ''} disabled={disabled || fromModel} onChange={(e) => configDraft.setField(spec.key, e.target.value)} />
      {spec.key === 'microBatch' && <MicroBatchNote />}
    </label>
  );
}

/** Under the micro-batch field: the forwards per step, or why the micro-batch does not fit the batch. */
function MicroBatchNote() {
  const batchSize = useDraftField('batchSize');
  const microBatch = useDraftField('microBatch');
  const note = microBatchNote({ batchSize, microBatch });
  if (note.text === '') return null;
  return (
    <span className={note.ok ? 'hint' : 'hint error'} data-testid="config-micro-batch-note" data-ok={String(note.ok)}>
      {note.text}
    </span>
  );
}

/** On a pretrained start the checkpoint fixes the sizes the student's descriptor lists (`fromCheckpoint`). */
function setByModel(key: NumericKey, arch: Arch): boolean {
  return (studentOf(arch).fromCheckpoint as readonly string[]).includes(key);
}

function Select({ field, label, testId, fallback, options, disabled }: { field: keyof RunConfig; label: string; testId: string; fallback: string; options: readonly { value: string; text: string; title?: string }[]; disabled: boolean }) {
  const value = useDraftField(field) ?? fallback;
  return (
    <label className="field">
      {label}
      <select data-testid={testId} value={value} disabled={disabled} onChange={(e) => configDraft.setField(field, e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value} title={o.title}>
            {o.text}
          </option>
        ))}
      </select>
    </label>
  );
}

const ARCH_OPTIONS = STUDENTS.map((s) => ({ value: s.name, text: s.name, title: s.label }));
const POOLING_OPTIONS = POOLINGS.map((p) => ({ value: p, text: p === 'cls' ? '[CLS] vector' : 'mean of tokens' }));
const LOSS_OPTIONS = LOSSES.map((l) => ({ value: l, text: LOSS_LABELS[l] }));
const BACKEND_OPTIONS = BACKENDS.map((b) => ({ value: b, text: b === 'auto' ? 'auto (WebGPU first)' : b }));
const KERNEL_OPTIONS = KERNEL_CHOICES.map((k) => ({
  value: k,
  text: k === 'fused' ? "fused (the studio's WebGPU kernels)" : "stock (tfjs's ops)",
  title: k === 'fused' ? 'Fused WebGPU kernels for linear layers, LayerNorm, attention, GELU, the embedding gradient and AdamW' : "tfjs's generic kernels, the reference the fused ones are tested against",
}));

function StandardizeTeacher({ disabled }: { disabled: boolean }) {
  const checked = useDraftField('standardizeTeacher') === 'true';
  return (
    <label className="field inline">
      <input type="checkbox" data-testid="config-standardize-teacher" checked={checked} disabled={disabled} onChange={(e) => configDraft.setField('standardizeTeacher', String(e.target.checked))} />
      Standardise teacher scores (z-score; Margin-MSE does not need it)
    </label>
  );
}

/** The fields a person sets for every run, shown open; the others sit under Advanced settings. */
const BASIC_FIELDS: ReadonlySet<NumericKey> = new Set(['steps', 'batchSize', 'learningRate']);

function NumberFields({ basic }: { basic: boolean }) {
  const active = useRunActive();
  const arch = useDraftArch();
  const pretrained = (useDraftField('start') ?? 'scratch') !== 'scratch';
  return (
    <>
      {FIELDS.filter((f) => showsField(studentOf(arch), f.key) && BASIC_FIELDS.has(f.key) === basic).map((f) => (
        <NumberField key={f.key} spec={f} disabled={active} fromModel={pretrained && setByModel(f.key, arch)} help={f.key === 'queryLength' || f.key === 'passageLength' ? pairCutHelp(studentOf(arch)) : undefined} />
      ))}
    </>
  );
}

/** The run config's everyday fields (student, loss, steps, batch, learning rate); disabled while a run uses them. */
export function ConfigForm() {
  const active = useRunActive();
  return (
    <div className="grid-form">
      <Select field="arch" label="Student" testId="arch-select" fallback="dot" options={ARCH_OPTIONS} disabled={active} />
      <Select field="loss" label="Loss" testId="loss-select" fallback="margin-mse" options={LOSS_OPTIONS} disabled={active} />
      <NumberFields basic />
    </div>
  );
}

/** The rest of the run config (sizes, lengths, probe, checkpoints, device), under Advanced settings. */
export function AdvancedConfigForm() {
  const active = useRunActive();
  const arch = useDraftArch();
  return (
    <div className="grid-form">
      {showsField(studentOf(arch), 'pooling') && <Select field="pooling" label="Pooling" testId="config-pooling" fallback="mean" options={POOLING_OPTIONS} disabled={active} />}
      <NumberFields basic={false} />
      <Select field="backend" label="Backend" testId="config-backend" fallback="auto" options={BACKEND_OPTIONS} disabled={active} />
      <Select field="kernels" label="Kernels (WebGPU)" testId="config-kernels" fallback="fused" options={KERNEL_OPTIONS} disabled={active} />
      <StandardizeTeacher disabled={active} />
    </div>
  );
}

/** The configured student's parameter count, before training, for the active dataset's tokenizer. */
export function PlannedSize() {
  const draft = useStore(configDraftStore, (s) => s.draft);
  const tokenizer = useActiveTokenizer();
  const model = useStore(modelsStore, (s) => s.models.find((m) => m.id === draft.start));
  const size = useMemo(() => plannedSize(draft, tokenizer), [draft, tokenizer]);
  const arch: Arch = isArch(draft.arch) ? draft.arch : 'dot';
  if (model) {
    return (
      <p className="hint" data-testid="planned-size" data-params={model.parameters}>
        {studentOf(arch).label}, on {model.name}: <strong>{model.parameters.toLocaleString('en')}</strong> parameters from the checkpoint, plus any new head or
        projection the student adds.
      </p>
    );
  }
  return (
    <p className="hint" data-testid="planned-size" data-params={'count' in size ? size.count : ''}>
      {studentOf(arch).label}.{' '}
      {'count' in size ? (
        <>
          <strong>{size.count.toLocaleString('en')}</strong> parameters with {tokenizer}.
        </>
      ) : (
        `Size not known yet: ${size.why}.`
      )}
    </p>
  );
}
