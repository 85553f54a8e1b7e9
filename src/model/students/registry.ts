/**
 * The students, registered once. No tfjs here nor below (a test walks the imports): the page lists, sizes and
 * configures them from this list; the worker builds them from ./models.ts, which the compiler holds to this list.
 * A new student is a folder of its own (`descriptor.ts`, `model.ts`) and a line here and in ./models.ts.
 */
import { cat } from './cat/descriptor';
import { colbert } from './colbert/descriptor';
import { dot } from './dot/descriptor';
import { prett } from './prett/descriptor';
import { tk } from './tk/descriptor';
import type { StudentDescriptor } from './descriptor';

export const STUDENTS = [dot, colbert, tk, prett, cat] as const;

export type Arch = (typeof STUDENTS)[number]['name'];
export const ARCHS: readonly Arch[] = STUDENTS.map((s) => s.name);

export function isArch(value: unknown): value is Arch {
  return typeof value === 'string' && (ARCHS as readonly string[]).includes(value);
}

/** The registered student of that name. */
export function studentOf(arch: Arch): StudentDescriptor<Arch> {
  const found = STUDENTS.find((s) => s.name === arch);
  if (!found) throw new Error(`no student named ${String(arch)}; the students are ${ARCHS.join(', ')}`);
  return found;
}

/** The student a sentence-transformers model of this kind comes back as (a handoff's output, imported). */
export function studentForHandoffKind(kind: 'bi-encoder' | 'cross-encoder'): Arch {
  const found = STUDENTS.find((s) => 'kind' in s.handoff && s.handoff.kind === kind);
  if (!found) throw new Error(`no student hands off as a ${kind}`);
  return found.name;
}
