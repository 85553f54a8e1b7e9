/**
 * The memory plan of the config being edited, for the page before Train: the draft's student on the active dataset's
 * tokenizer (or on the chosen library model), against the adapter the page probed. The worker plans again with the
 * device it really gets and refuses a run that cannot fit.
 */
import type { HfDims } from '../export/hf-layout';
import { countParameters } from '../model/students/descriptor';
import { studentOf } from '../model/students/registry';
import { vocabSizeOf } from '../text/tokenizers';
import { studentConfigFor } from '../train/models';
import { budgetOnly, DEFAULT_DEVICE_BUDGET, planInputFor, planMemory, type MemoryPlan } from '../train/memory-plan';
import { parseDraft, type ConfigDraft } from './config-draft';
import type { AdapterState } from './adapter';
import { errorMessage } from '../util/errors';

export interface PlanView {
  plan: MemoryPlan;
  /** Whether the per-buffer limits are the adapter's (WebGPU will run) or none (CPU / WebGL). */
  webgpu: boolean;
}

/** The draft's plan, or why there is none yet. `model`: the library model the run starts from, if any. */
export function plannedMemory(draft: ConfigDraft, tokenizer: string | undefined, model: { dims: HfDims; parameters: number } | undefined, adapter: Pick<AdapterState, 'state' | 'limits'>, budget = DEFAULT_DEVICE_BUDGET): PlanView | { why: string } {
  if (!tokenizer) return { why: 'choose a dataset' };
  const vocabSize = vocabSizeOf(tokenizer);
  if (vocabSize === null) return { why: `unknown tokenizer ${tokenizer}` };
  try {
    const config = parseDraft(draft);
    const student = studentConfigFor(config, { id: tokenizer, vocabSize, cls: 1, sep: 2 }, model ?? null);
    // On a checkpoint its weights, plus the small head or projection a student may add (as the worker counts).
    const descriptor = studentOf(config.arch);
    const parameters = model && descriptor.pretrained === 'encoder' ? model.parameters + config.denseDim * (student.hidden + 1) + student.hidden + 1 : countParameters(descriptor, student);
    const webgpu = adapter.state === 'ready' && adapter.limits !== null && (config.backend === 'auto' || config.backend === 'webgpu');
    const limits = webgpu && adapter.limits ? { ...adapter.limits, budget } : budgetOnly(budget);
    return { plan: planMemory(planInputFor(config, student, parameters, webgpu), limits), webgpu };
  } catch (err) {
    return { why: errorMessage(err) };
  }
}
