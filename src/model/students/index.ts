/** Builds the configured student from the registered students' models, from scratch or on a pretrained checkpoint. */
import type { Kernels } from '../kernels';
import { STUDENT_MODELS } from './models';
import type { Arch } from './registry';
import type { PretrainedStart, Student, StudentConfig, StudentModel } from './student';

/** A student of `model`: on `start` when given (with a Dense projection of `denseDim` where the student takes one). */
export function buildStudent(model: StudentModel, config: StudentConfig, seed: number, kernels: Kernels, start?: PretrainedStart, denseDim = 0): Student {
  return start ? model.pretrained(config, seed, kernels, start, denseDim) : model.scratch(config, seed, kernels);
}

export function createStudent(arch: Arch, config: StudentConfig, seed: number, kernels: Kernels, start?: PretrainedStart, denseDim = 0): Student {
  return buildStudent(STUDENT_MODELS[arch], config, seed, kernels, start, denseDim);
}
