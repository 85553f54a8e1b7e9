import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_CONFIG } from '../config/run-config';
import { draftOf, parseDraft } from './config-draft';
import { PRESETS, presetDraft, type PresetModel } from './presets';

const BI: PresetModel = { id: 'model-bi', name: 'minilm', kind: 'bi-encoder', pooling: 'mean' };
const CROSS: PresetModel = { id: 'model-cross', name: 'tiny-ce', kind: 'cross-encoder', pooling: 'cls' };

/** The form after a preset: the defaults' fields, then the preset's, parsed as Train parses them. */
function apply(fields: ReturnType<typeof presetDraft>['fields']) {
  return parseDraft({ ...draftOf(DEFAULT_RUN_CONFIG), ...fields });
}

describe('presetDraft', () => {
  it('gives a valid run config for every preset, with and without models in the library', () => {
    for (const id of PRESETS) {
      for (const models of [[], [BI, CROSS]]) expect(() => apply(presetDraft(id, models).fields)).not.toThrow();
    }
  });

  it('Quick look is the default small dot student from scratch for 100 steps', () => {
    const { fields, needs } = presetDraft('quick-look', [BI], BI.id);
    const c = apply(fields);
    expect(needs).toBe('');
    expect(c).toEqual({ ...DEFAULT_RUN_CONFIG, steps: 100 });
  });

  it('fine-tunes the library bi-encoder for dot at the paper shapes, with the fine-tuning optimiser', () => {
    const { fields, needs } = presetDraft('fine-tune-dot', [CROSS, BI]);
    const c = apply(fields);
    expect(needs).toBe('');
    expect(c.start).toBe(BI.id);
    expect([c.arch, c.loss, c.pooling]).toEqual(['dot', 'margin-mse', 'mean']);
    expect([c.queryLength, c.passageLength, c.batchSize]).toEqual([30, 200, 32]);
    // 7e-6 peak, warm-up over a tenth of the 1000 steps, linear decay, AdamW 0.01, clipping at 1.
    expect([c.learningRate, c.warmupSteps, c.schedule, c.weightDecay, c.clipNorm]).toEqual([7e-6, 100, 'linear', 0.01, 1]);
  });

  it('keeps the model the form already starts from, and picks a cross-encoder for cat', () => {
    expect(apply(presetDraft('fine-tune-dot', [BI, CROSS], CROSS.id).fields).start).toBe(CROSS.id);
    const cat = apply(presetDraft('fine-tune-cat', [BI, CROSS]).fields);
    expect([cat.arch, cat.start]).toEqual(['cat', CROSS.id]);
    // With no cross-encoder stored, any checkpoint will do (cat adds its own head).
    expect(apply(presetDraft('fine-tune-cat', [BI]).fields).start).toBe(BI.id);
  });

  it('says that a fine-tuning preset needs a pretrained model when the library is empty, and sets no start', () => {
    const { fields, needs } = presetDraft('fine-tune-dot', []);
    expect(needs).toMatch(/^a pretrained bi-encoder .*import its folder under Start from/);
    expect(fields.start).toBeUndefined();
    expect(fields.learningRate).toBe('0.000007');
    expect(presetDraft('fine-tune-cat', []).needs).toMatch(/^a pretrained cross-encoder/);
  });

  it("TK from scratch has the paper's sizes and lengths and leaves no fine-tuning setting behind", () => {
    const after = { ...draftOf(DEFAULT_RUN_CONFIG), ...presetDraft('fine-tune-dot', [BI]).fields };
    const c = parseDraft({ ...after, ...presetDraft('tk-scratch', [BI]).fields });
    expect([c.arch, c.start, c.hidden, c.heads, c.ffn, c.layers]).toEqual(['tk', 'scratch', 300, 10, 100, 2]);
    expect([c.queryLength, c.passageLength, c.batchSize]).toEqual([30, 200, 32]);
    expect([c.learningRate, c.warmupSteps, c.schedule, c.weightDecay, c.clipNorm]).toEqual([1e-4, 0, 'constant', 0, 0]);
  });

  it('refuses an unknown preset by name', () => {
    expect(() => presetDraft('bert-large' as never, [])).toThrow('unknown preset bert-large; presets are quick-look, fine-tune-dot, fine-tune-cat, tk-scratch');
  });
});
