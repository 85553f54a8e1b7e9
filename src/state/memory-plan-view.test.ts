import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_CONFIG } from '../config/run-config';
import { countParameters } from '../model/students/descriptor';
import { dot } from '../model/students/dot/descriptor';
import { studentConfig } from '../train/student-config';
import { draftOf } from './config-draft';
import { plannedMemory } from './memory-plan-view';
import type { AdapterState } from './adapter';

/** The bert-base-uncased WordPiece tokenizer's id (30,522 words). */
const BERT_BASE_ID = 'wordpiece-v1:bert-base-uncased';

const WEBGPU: AdapterState = { state: 'ready', adapter: null, limits: { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 }, message: '' };
const NONE: AdapterState = { state: 'none', adapter: null, limits: null, message: 'no WebGPU' };

describe('plannedMemory', () => {
  it('plans the draft on the tokenizer, against the adapter limits when WebGPU will run', () => {
    const view = plannedMemory(draftOf(DEFAULT_RUN_CONFIG), BERT_BASE_ID, undefined, WEBGPU);
    if (!('plan' in view)) throw new Error(view.why);
    expect(view.webgpu).toBe(true);
    expect(view.plan.limit).toBe(128 * 2 ** 20);
    // The parameters are the configured student's on a 30,522-word vocabulary.
    expect(view.plan.weights).toBe(4 * countParameters(dot, studentConfig(DEFAULT_RUN_CONFIG, { vocabSize: 30522, cls: 1, sep: 2 })));
    expect(view.plan.fits).toBe(true);
  });

  it('has no per-buffer limit off WebGPU, and plans a checkpoint by its own sizes', () => {
    const cpu = plannedMemory(draftOf({ ...DEFAULT_RUN_CONFIG, backend: 'cpu' }), BERT_BASE_ID, undefined, WEBGPU);
    expect('plan' in cpu && cpu.plan.limit).toBe(Infinity);
    const none = plannedMemory(draftOf(DEFAULT_RUN_CONFIG), BERT_BASE_ID, undefined, NONE);
    expect('plan' in none && none.webgpu).toBe(false);
    const dims = { hidden: 384, heads: 12, ffn: 1536, layers: 6, vocabSize: 30522, maxPositions: 512, typeVocabSize: 2, layerNormEps: 1e-12 };
    const onModel = plannedMemory(draftOf({ ...DEFAULT_RUN_CONFIG, start: 'model-1' }), BERT_BASE_ID, { dims, parameters: 22_700_000 }, WEBGPU);
    if (!('plan' in onModel)) throw new Error(onModel.why);
    // The checkpoint's weights, plus room for a score head (hidden + 1: cat's; the plan counts it for every student).
    expect(onModel.plan.weights).toBe(4 * (22_700_000 + 385));
  });

  it('says why there is no plan yet', () => {
    expect(plannedMemory(draftOf(DEFAULT_RUN_CONFIG), undefined, undefined, WEBGPU)).toEqual({ why: 'choose a dataset' });
    expect(plannedMemory({ ...draftOf(DEFAULT_RUN_CONFIG), hidden: 'x' }, BERT_BASE_ID, undefined, WEBGPU)).toEqual({ why: 'run config: hidden must be a number, got "x"' });
  });
});
