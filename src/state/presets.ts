/**
 * Presets that fill the run form: pure data, from a preset's id and what the library holds to the form's fields.
 * A preset only sets the fields it names; the person can change any of them afterwards. Presets that need a
 * pretrained checkpoint say so (`needs`) instead of silently training from random weights at a fine-tuning rate.
 */
import { DEFAULT_RUN_CONFIG, type RunConfig } from '../config/run-config';
import { fineTuningSettings, SCRATCH } from '../train/models';
import type { ModelInfo } from '../data/store/models';
import { fieldsOf, type ConfigDraft } from './config-draft';

export const PRESETS = ['quick-look', 'fine-tune-dot', 'fine-tune-cat', 'tk-scratch'] as const;
export type PresetId = (typeof PRESETS)[number];

export const PRESET_LABELS: Record<PresetId, string> = {
  'quick-look': 'Quick look',
  'fine-tune-dot': 'Fine-tune a pretrained bi-encoder as in the paper',
  'fine-tune-cat': 'Fine-tune a pretrained cross-encoder as in the paper',
  'tk-scratch': "The paper's TK from scratch",
};

export const PRESET_DESCRIPTIONS: Record<PresetId, string> = {
  'quick-look': "The demo's small dot student from random weights, 100 steps: seconds on a GPU, a few minutes on a software adapter.",
  'fine-tune-dot': 'dot (BERT_DOT) from a pretrained checkpoint, Margin-MSE at the paper\'s shapes (query 30, passage 200, batch 32), peak learning rate 7e-6.',
  'fine-tune-cat': 'cat (BERT_CAT) from a pretrained checkpoint, Margin-MSE at the paper\'s shapes (query 30, passage 200, batch 32), peak learning rate 7e-6.',
  'tk-scratch': 'tk from random weights at the paper\'s shapes: 2 layers of 10 heads over 300-wide embeddings, feed-forward 100, 11 kernels, learning rate 1e-4.',
};

/** The library's models as a preset sees them. */
export type PresetModel = Pick<ModelInfo, 'id' | 'name' | 'kind' | 'pooling'>;

export interface PresetDraft {
  /** The form fields the preset sets, as the form holds them (text). */
  fields: Partial<ConfigDraft>;
  /** What the preset still needs before Train does what it says ('' when nothing). */
  needs: string;
}

/** The lengths and batch of the Margin-MSE paper's runs. */
const PAPER_SHAPES = { queryLength: 30, passageLength: 200, batchSize: 32, microBatch: 0 } as const satisfies Partial<RunConfig>;

/** Steps of the paper presets: the studio's default run length; a real run sets its own. */
const PAPER_STEPS = DEFAULT_RUN_CONFIG.steps;

/** What every preset resets, so that one preset after another leaves no field of the first behind. */
function common(arch: RunConfig['arch']): Partial<RunConfig> {
  const { loss, standardizeTeacher, denseDim, evalEvery } = DEFAULT_RUN_CONFIG;
  return { arch, loss, standardizeTeacher, denseDim, evalEvery };
}

/**
 * A checkpoint to fine-tune: the one the form starts from already, else the library's first of the kind the
 * student is (a bi-encoder for dot, a cross-encoder for cat), else any; null when the library is empty.
 */
function pickModel(models: readonly PresetModel[], start: string | undefined, kind: PresetModel['kind']): PresetModel | null {
  return models.find((m) => m.id === start) ?? models.find((m) => m.kind === kind) ?? models[0] ?? null;
}

function fineTune(arch: 'dot' | 'cat', models: readonly PresetModel[], start: string | undefined): PresetDraft {
  const kind = arch === 'dot' ? 'bi-encoder' : 'cross-encoder';
  const model = pickModel(models, start, kind);
  const base = { ...common(arch), ...PAPER_SHAPES, steps: PAPER_STEPS };
  if (!model) {
    // The optimiser settings of a fine-tuning run, without a start: the form says what is missing.
    const { start: _none, pooling: _pooling, ...settings } = fineTuningSettings({ id: SCRATCH, pooling: 'cls' }, { steps: PAPER_STEPS });
    return {
      fields: fieldsOf({ ...base, ...settings }),
      needs: `a pretrained ${kind === 'bi-encoder' ? 'bi-encoder (e.g. a sentence-transformers folder)' : 'cross-encoder'} or BERT / DistilBERT checkpoint: import its folder under Start from, then choose this preset again`,
    };
  }
  const settings = fineTuningSettings(model, { steps: PAPER_STEPS });
  // The cross-encoder scores [CLS]; pooling only means something to dot.
  if (arch === 'cat') delete settings.pooling;
  return { fields: fieldsOf({ ...base, ...settings }), needs: '' };
}

/**
 * The form's fields for a preset. `models` is the model library; `start` the form's current start (kept by the
 * fine-tuning presets when it is a stored model).
 */
export function presetDraft(id: PresetId, models: readonly PresetModel[], start?: string): PresetDraft {
  switch (id) {
    case 'quick-look': {
      // The studio's default student and optimiser (what the demo is sized for), for fewer steps.
      const d = DEFAULT_RUN_CONFIG;
      const scratch = { start: SCRATCH, learningRate: d.learningRate, warmupSteps: d.warmupSteps, schedule: d.schedule, weightDecay: d.weightDecay, clipNorm: d.clipNorm };
      const sizes = { hidden: d.hidden, heads: d.heads, ffn: d.ffn, layers: d.layers, pooling: d.pooling, queryLength: d.queryLength, passageLength: d.passageLength };
      const run = { steps: 100, batchSize: d.batchSize, microBatch: 0, probeSize: d.probeSize, probeEvery: d.probeEvery };
      return { fields: fieldsOf({ ...common('dot'), ...scratch, ...sizes, ...run }), needs: '' };
    }
    case 'fine-tune-dot':
      return fineTune('dot', models, start);
    case 'fine-tune-cat':
      return fineTune('cat', models, start);
    case 'tk-scratch': {
      // TK as its paper configures it (Hofstätter et al., ECAI 2020): 2 transformer layers, 10 heads of 30 over
      // 300-wide embeddings, feed-forward 100, Adam at 1e-4. Here its embeddings start random, not from GloVe.
      const tk = { hidden: 300, heads: 10, ffn: 100, layers: 2 };
      const optimiser = { start: SCRATCH, learningRate: 1e-4, warmupSteps: 0, schedule: 'constant', weightDecay: 0, clipNorm: 0 } as const;
      return { fields: fieldsOf({ ...common('tk'), ...PAPER_SHAPES, ...tk, ...optimiser, steps: PAPER_STEPS }), needs: '' };
    }
    default: {
      const never: never = id;
      throw new Error(`unknown preset ${String(never)}; presets are ${PRESETS.join(', ')}`);
    }
  }
}

export function isPresetId(value: string): value is PresetId {
  return (PRESETS as readonly string[]).includes(value);
}
