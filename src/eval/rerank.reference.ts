/**
 * The teacher's scores from a whole triples table: the reference for the chunk-at-a-time reading evaluation does
 * (`addTeacherScores` over the stored chunks, in eval-data.ts). No product code imports this module.
 */
import type { TripleColumns } from '../data/store/schema';
import { addTeacherScores, type TeacherScores } from './rerank';

export function teacherScores(triples: TripleColumns | null, wanted?: ReadonlySet<number>): TeacherScores {
  return triples ? addTeacherScores(new Map(), triples, wanted) : new Map();
}
