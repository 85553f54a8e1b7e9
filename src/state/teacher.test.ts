import { describe, expect, it } from 'vitest';
import { DEFAULT_TEACHER_DRAFT, draftOf, specOf, storedDraft } from './teacher';

const models = [
  { id: 'm1', name: 'bert-cross-encoder' },
  { id: 'm2', name: 'minilm-cross-encoder' },
];

describe('the teacher panel draft', () => {
  it('turns into the job spec and back: what a resumed job shows is what it runs', () => {
    const draft = { ...DEFAULT_TEACHER_DRAFT, teachers: ['m2', 'm1'], dropFalseNegatives: true, fraction: 0.9, toRank: 30 };
    const spec = specOf(draft, 'd', models);
    expect(spec).toMatchObject({ datasetId: 'd', teachers: [models[1], models[0]], standardise: true, rule: { fraction: 0.9, on: 'sigmoid' }, negatives: { fromRank: 1, toRank: 30, perPositive: 4, seed: 42 } });
    expect(draftOf(spec)).toEqual(draft);
    // One teacher: nothing to standardise; no rule: none in the spec.
    expect(specOf({ ...draft, teachers: ['m1'], dropFalseNegatives: false }, 'd', models)).toMatchObject({ standardise: false, rule: null });
    expect(() => specOf({ ...draft, teachers: ['gone'] }, 'd', models)).toThrow('model gone is no longer in the model library');
  });

  it('keeps the stored choices a reload reads, field by field, and ignores what does not fit', () => {
    expect(storedDraft(null)).toEqual(DEFAULT_TEACHER_DRAFT);
    expect(storedDraft('{not json')).toEqual(DEFAULT_TEACHER_DRAFT);
    expect(storedDraft(JSON.stringify({ teachers: ['m1'], toRank: 20, seed: 'x', source: 'run', teachersExtra: 1 }))).toEqual({ ...DEFAULT_TEACHER_DRAFT, teachers: ['m1'], toRank: 20, source: 'run' });
    expect(storedDraft(JSON.stringify({ teachers: [1, 2], source: 'random', ruleOn: 'cosine' }))).toEqual(DEFAULT_TEACHER_DRAFT);
  });
});
