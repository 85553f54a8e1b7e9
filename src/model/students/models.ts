/**
 * The students' tfjs halves, one per registered student: the compiler holds this table to ./registry.ts (a student
 * registered there without its model here does not compile). Only the worker, training and evaluation import this.
 */
import { catModel } from './cat/model';
import { colbertModel } from './colbert/model';
import { dotModel } from './dot/model';
import { prettModel } from './prett/model';
import { tkModel } from './tk/model';
import { STUDENTS, type Arch } from './registry';
import type { StudentDescriptor } from './descriptor';
import type { StudentModel } from './student';

export const STUDENT_MODELS: { readonly [A in Arch]: StudentModel } = { dot: dotModel, colbert: colbertModel, tk: tkModel, prett: prettModel, cat: catModel };

/** A student whole: what the page knows of it and how the worker builds it. */
export interface StudentModule {
  descriptor: StudentDescriptor;
  model: StudentModel;
}

/** Every registered student with its model, in the registry's order. */
export const STUDENT_MODULES: readonly StudentModule[] = STUDENTS.map((descriptor) => ({ descriptor, model: STUDENT_MODELS[descriptor.name] }));
