/**
 * The kernel lab: a page without UI (lab.html) that the profiling benchmark and the kernel tests drive through
 * `window.marginLab`. It runs the studio's own training code on the page's tfjs.
 */
import { profileStep } from './profile';
import { checkKernels } from './kernel-check';
import { inferenceRate, lossesBothWays, soak, throughput } from './runs';
import { trainingStepFlops } from './flops';
import { matmulRate } from './matmul-rate';
import { dataPath } from './data-path.client';
import { accumulationCheck } from './accumulation';

const lab = { profileStep, checkKernels, lossesBothWays, throughput, inferenceRate, soak, trainingStepFlops, dataPath, accumulationCheck, matmulRate };
export type MarginLab = typeof lab;

declare global {
  interface Window {
    marginLab?: MarginLab;
  }
}

window.marginLab = lab;
document.body.dataset['ready'] = 'true';
