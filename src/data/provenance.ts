/**
 * Where a dataset's teacher triples came from, when the studio made them: which cross-encoders scored them (and
 * whether each was standardised before the mean), where the negatives came from and how they were drawn, the
 * false-negative rule and what it dropped. It is stored with the dataset version and written into exports and the
 * handoff's README, so it is read back from JSON someone may have edited: every field is checked, and a bad one is
 * named.
 */

export const NEGATIVE_SOURCES = ['bm25', 'dense', 'run'] as const;
export type NegativeSource = (typeof NEGATIVE_SOURCES)[number];

export interface TeacherProvenance {
  teachers: { id: string; name: string }[];
  /** Each teacher's scores z-scored before the mean (one teacher: never). */
  standardised: boolean;
  negatives: { source: NegativeSource; fromRank: number; toRank: number; perPositive: number; seed: number };
  /** Qrels grade a passage needs to count as a positive. */
  positiveGrade: number;
  /** Most tokens of a pair as the teachers read it, `[CLS] q [SEP] p [SEP]` included (cut longest-first). */
  maxLength: number;
  /** Most query tokens kept, cut before the pair is. */
  maxQueryTokens: number;
  falseNegatives: { fraction: number; on: 'sigmoid' | 'scores' } | null;
  pairsScored: number;
  triples: number;
  dropped: number;
}

function fail(field: string, why: string): never {
  throw new Error(`teacher provenance: ${field} ${why}`);
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'must be an object');
  return value as Record<string, unknown>;
}

function whole(value: unknown, field: string, least: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < least) fail(field, `must be a whole number of at least ${least}, got ${JSON.stringify(value)}`);
  return value;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') fail(field, `must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

export function provenanceJson(p: TeacherProvenance): string {
  return JSON.stringify(parseProvenance(JSON.parse(JSON.stringify(p)) as unknown), null, 2);
}

/** Checks a parsed value field by field and returns it as provenance; throws naming the first bad field. */
export function parseProvenance(value: unknown): TeacherProvenance {
  const v = record(value, 'the whole');
  if (!Array.isArray(v.teachers) || v.teachers.length === 0) fail('teachers', 'must list at least one cross-encoder');
  const teachers = v.teachers.map((t, i) => {
    const r = record(t, `teachers[${i}]`);
    return { id: text(r.id, `teachers[${i}].id`), name: text(r.name, `teachers[${i}].name`) };
  });
  if (typeof v.standardised !== 'boolean') fail('standardised', 'must be true or false');
  const n = record(v.negatives, 'negatives');
  if (!(NEGATIVE_SOURCES as readonly unknown[]).includes(n.source)) fail('negatives.source', `must be one of ${NEGATIVE_SOURCES.join(', ')}, got ${JSON.stringify(n.source)}`);
  const fromRank = whole(n.fromRank, 'negatives.fromRank', 1);
  const negatives = {
    source: n.source as NegativeSource,
    fromRank,
    toRank: whole(n.toRank, 'negatives.toRank', fromRank),
    perPositive: whole(n.perPositive, 'negatives.perPositive', 1),
    seed: whole(n.seed, 'negatives.seed', Number.MIN_SAFE_INTEGER),
  };
  let falseNegatives: TeacherProvenance['falseNegatives'] = null;
  if (v.falseNegatives !== null) {
    const f = record(v.falseNegatives, 'falseNegatives');
    if (typeof f.fraction !== 'number' || !(f.fraction > 0 && f.fraction <= 1)) fail('falseNegatives.fraction', `must lie in (0, 1], got ${JSON.stringify(f.fraction)}`);
    if (f.on !== 'sigmoid' && f.on !== 'scores') fail('falseNegatives.on', `must be "sigmoid" or "scores", got ${JSON.stringify(f.on)}`);
    falseNegatives = { fraction: f.fraction, on: f.on };
  }
  const p: TeacherProvenance = {
    teachers,
    standardised: v.standardised,
    negatives,
    positiveGrade: whole(v.positiveGrade, 'positiveGrade', 0),
    maxLength: whole(v.maxLength, 'maxLength', 4),
    maxQueryTokens: whole(v.maxQueryTokens, 'maxQueryTokens', 1),
    falseNegatives,
    pairsScored: whole(v.pairsScored, 'pairsScored', 0),
    triples: whole(v.triples, 'triples', 0),
    dropped: whole(v.dropped, 'dropped', 0),
  };
  if (p.standardised && p.teachers.length === 1) fail('standardised', 'cannot be true with one teacher (there is no mean to weigh)');
  return p;
}

/** The provenance in one sentence, for model cards and READMEs. */
export function describeProvenance(p: TeacherProvenance): string {
  const teachers = p.teachers.map((t) => t.name).join(' + ');
  const mean = p.teachers.length > 1 ? ` (the mean of their ${p.standardised ? 'z-scored' : 'raw'} scores)` : '';
  const rule = p.falseNegatives ? `negatives scored above ${p.falseNegatives.fraction} of their positive's ${p.falseNegatives.on === 'sigmoid' ? 'sigmoid score' : 'score'} dropped (${p.dropped})` : 'no false-negative rule';
  return `made in Margin Studio: ${teachers}${mean} scored ${p.pairsScored} pairs (queries cut at ${p.maxQueryTokens} tokens, pairs at ${p.maxLength}); ${p.negatives.perPositive} negatives per positive from ${p.negatives.source} ranks ${p.negatives.fromRank}–${p.negatives.toRank} (seed ${p.negatives.seed}), positives of qrels grade ≥ ${p.positiveGrade}; ${rule}; ${p.triples} triples`;
}
