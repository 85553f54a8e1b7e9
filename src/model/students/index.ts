/** Builds the configured student, and counts its parameters without building it. */
import { CatStudent } from './cat';
import { ColbertStudent } from './colbert';
import { DotStudent } from './dot';
import { PrettStudent } from './prett';
import type { Arch, Student, StudentConfig } from './student';
import { TkStudent } from './tk';

const CLASSES = { dot: DotStudent, colbert: ColbertStudent, tk: TkStudent, prett: PrettStudent, cat: CatStudent } satisfies Record<Arch, unknown>;

export function createStudent(arch: Arch, config: StudentConfig, seed: number): Student {
  return new CLASSES[arch](config, seed);
}

export { countParameters } from './sizes';
