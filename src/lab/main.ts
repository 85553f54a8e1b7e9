/**
 * The kernel lab: a page without UI (lab.html) that the profiling benchmark and the kernel tests drive through
 * `window.marginLab`. It runs the studio's own training code on the page's tfjs.
 */
import { profileStep } from './profile';
import { checkKernels } from './kernel-check';
import { inferenceRate, lossesBothWays, lossesOnCpuAndWebGpu, soak, throughput, trainerFor } from './runs';
import { encoderParity, largeDispatchChecks } from './real-width';
import { trainingStepFlops } from './flops';
import { matmulRate } from './square-matmul';
import { dataPath } from './data-path.client';
import { accumulationCheck } from './accumulation';
import { matmulRates } from './matmul-rate';

const lab = { profileStep, checkKernels, lossesBothWays, throughput, inferenceRate, soak, trainingStepFlops, dataPath, accumulationCheck, matmulRate, matmulRates, encoderParity, largeDispatchChecks, lossesOnCpuAndWebGpu, trainerFor };
export type MarginLab = typeof lab;

declare global {
  interface Window {
    marginLab?: MarginLab;
  }
}

window.marginLab = lab;
document.body.dataset['ready'] = 'true';
