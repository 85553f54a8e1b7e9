/**
 * What the studio knows of one student without building it: its name and label, its sizes, the config fields it
 * reads, where its sizes come from on a checkpoint, the sequences it encodes, its FLOPs and activations, and what a
 * handoff to sentence-transformers makes of it. No tfjs here (nor in any `descriptor.ts` of a student's folder): the
 * page and its stores read these; only the worker builds the student (`model.ts` of the folder, ./models.ts).
 */
import type { HfModelKind } from '../../export/hf-layout';
import type { StudentConfig, StudentSizes } from './config';
import { PAIR_SPECIALS } from '../../text/pair-cut';

/** Run-config fields only some students read; every other size field is shown for all. */
export const STUDENT_FIELDS = ['pooling', 'compressDim', 'jointLayers', 'denseDim'] as const;
export type StudentField = (typeof STUDENT_FIELDS)[number];

/** Sizes a pretrained checkpoint can fix in place of the run config's. */
export type CheckpointSize = 'hidden' | 'heads' | 'ffn' | 'layers' | 'jointLayers';

/** The sizes, lengths and settings the counts below read (a run config's, with the checkpoint's sizes in place). */
export interface SizesInput extends StudentSizes {
  /** The run starts from a checkpoint (its sequences carry [CLS] and [SEP]). */
  pretrained: boolean;
}

/** Sequences of one length encoded together through some layers, for the memory plan. */
export interface SequenceGroup {
  rows: number;
  length: number;
  layers: number;
  /** Embedding lookup and positions added (the first layers of a stack); PreTTR's joint layers take states. */
  embedded: boolean;
  /** A final LayerNorm over the output. */
  finalNorm: boolean;
}

/** A tensor named for the memory plan's "largest activation". */
export interface NamedTensor {
  elements: number;
  what: string;
}

export interface StudentDescriptor<Name extends string = string> {
  readonly name: Name;
  /** One line a person reads in the student picker. */
  readonly label: string;
  /** Student-specific config fields shown for this student (pooling, compressDim, jointLayers, denseDim). */
  readonly fields: readonly StudentField[];
  /**
   * How query and passage reach a pretrained encoder: each alone as `[CLS] t [SEP]`, or joined as
   * `[CLS] q [SEP] p [SEP]` (which the checkpoint's positions must hold).
   */
  readonly sequences: 'apart' | 'joined';
  /**
   * How a (query, passage) pair's tokens are cut: each side to its own configured length ('sides'), or, for a
   * student that reads the pair as one sequence the way a cross-encoder library does, longest-first within the two
   * lengths together ('longest-first', text/pair-cut.ts), as `transformers` cuts a pair for the exported model.
   */
  readonly pairCut: 'sides' | 'longest-first';
  /** What a checkpoint gives this student: its whole encoder, or only its word embeddings (tk). */
  readonly pretrained: 'encoder' | 'word-embeddings';
  /**
   * Sizes the checkpoint fixes on a pretrained start (shown "from the model", taken from it by the worker). Every
   * student takes its hidden size; `jointLayers` from the checkpoint is its layers above the configured split.
   */
  readonly fromCheckpoint: readonly CheckpointSize[];
  /** The sentence-transformers class a handoff trains it as, or why there is none. */
  readonly handoff: { kind: HfModelKind } | { refused: string };

  /** Longest sequence the student's own (from scratch) encoder reads, special tokens it adds included. */
  encoderLength(c: Pick<StudentSizes, 'queryLength' | 'passageLength'>): number;
  /** Transformer layers of its own encoder. */
  encoderLayers(c: Pick<StudentSizes, 'layers' | 'jointLayers'>): number;
  /** Weights past the encoder (heads, projections, mixing weights). */
  headParameters(c: StudentConfig): number;
  /** Why these sizes cannot make this student, or null. */
  check(c: StudentSizes): string | null;
  /** Multiply-adds ×2 of one training step of `batchSize` triples, or null where not counted. */
  trainingStepFlops(c: Pick<StudentSizes, 'hidden' | 'ffn' | 'layers' | 'queryLength' | 'passageLength'> & { batchSize: number }): number | null;
  /** The sequences one forward over `triples` triples encodes. */
  sequenceGroups(c: SizesInput, triples: number): SequenceGroup[];
  /** Forward elements past the encoder (scores, interactions) over `triples` triples. */
  headElements(c: SizesInput, triples: number): number;
  /** Its largest tensor past the encoder, when it can outgrow the encoder's; null otherwise. */
  largestHeadTensor(c: SizesInput, triples: number): NamedTensor | null;
}

/** The weights of `defineEncoder`: embeddings, `layers` pre-norm transformer layers, the final layer norm. */
export function encoderParameterCount(dims: { vocabSize: number; maxLength: number; hidden: number; ffn: number; layers: number }): number {
  const d = dims.hidden;
  const layer = 4 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * dims.ffn + dims.ffn) + (dims.ffn * d + d);
  return dims.vocabSize * d + dims.maxLength * d + dims.layers * layer + 2 * d;
}

/** A from-scratch student's weights, from its configured sizes alone (the students' tests check the built ones). */
export function countParameters(student: StudentDescriptor, c: StudentConfig): number {
  const encoder = encoderParameterCount({ vocabSize: c.vocabSize, maxLength: student.encoderLength(c), hidden: c.hidden, ffn: c.ffn, layers: student.encoderLayers(c) });
  return encoder + student.headParameters(c);
}

/**
 * Matrix arithmetic of one encoder pass over a sequence of `length` tokens, for GFLOP/s figures. Per layer: the qkv,
 * output and two feed-forward products, 2·L·(3d² + d² + 2·d·f) = L·(8d² + 4df), and attention's two products, 4·L²·d.
 */
export function encoderFlops(length: number, c: Pick<StudentSizes, 'hidden' | 'ffn' | 'layers'>): number {
  const d = c.hidden;
  return c.layers * (length * (8 * d * d + 4 * d * c.ffn) + 4 * length * length * d);
}

/**
 * A step of a student that encodes each text alone: `batch` queries and 2·`batch` passages; backward costs twice
 * the forward, so a step is 3 forwards. Small projections past the encoder are not counted.
 */
export function separateEncodingStepFlops(c: Pick<StudentSizes, 'hidden' | 'ffn' | 'layers' | 'queryLength' | 'passageLength'> & { batchSize: number }): number {
  const forward = c.batchSize * encoderFlops(c.queryLength, c) + 2 * c.batchSize * encoderFlops(c.passageLength, c);
  return 3 * forward;
}

/**
 * The sequences of a student that encodes query and passages apart: the queries once, both passages. A single text
 * gets [CLS] … [SEP] on a checkpoint, `extra` more tokens from scratch (dot's leading [CLS] for cls pooling).
 */
export function separateSequenceGroups(c: SizesInput, triples: number, extra = 0): SequenceGroup[] {
  const add = c.pretrained ? 2 : extra;
  const whole = { embedded: true, finalNorm: true };
  return [
    { rows: triples, length: c.queryLength + add, layers: c.layers, ...whole },
    { rows: 2 * triples, length: c.passageLength + add, layers: c.layers, ...whole },
  ];
}

/**
 * The sizes a student is built with on a checkpoint of `dims`: those its descriptor lists come from the checkpoint
 * (`jointLayers`: the checkpoint's layers above the configured split), the rest from the run config; the vocabulary
 * is always the checkpoint's.
 */
export function sizesOnCheckpoint(student: StudentDescriptor, config: StudentConfig, dims: { hidden: number; heads: number; ffn: number; layers: number; vocabSize: number }): StudentConfig {
  const out: StudentConfig = { ...config, vocabSize: dims.vocabSize };
  for (const size of student.fromCheckpoint) {
    if (size === 'jointLayers') out.jointLayers = dims.layers - config.layers;
    else out[size] = dims[size];
  }
  return out;
}

/** Whether a config field is shown for this student: the student-specific ones only where it reads them. */
export function showsField(student: StudentDescriptor, field: string): boolean {
  return !(STUDENT_FIELDS as readonly string[]).includes(field) || (student.fields as readonly string[]).includes(field);
}

/**
 * What a descriptor lacks to be a whole student: an empty list when complete. Registering a student that fails this
 * is a defect the registry's test reports by name.
 */
export function incompleteParts(student: StudentDescriptor): string[] {
  const missing: string[] = [];
  if (!/^[a-z][a-z0-9-]*$/.test(student.name)) missing.push(`a name of lower-case letters (got "${student.name}")`);
  if (student.label.trim().length < 10) missing.push('a label a person can read');
  if (!student.fromCheckpoint.includes('hidden')) missing.push('hidden in fromCheckpoint (every student takes the checkpoint\'s width)');
  for (const f of student.fields) if (!(STUDENT_FIELDS as readonly string[]).includes(f)) missing.push(`a known field (got ${f})`);
  if ('refused' in student.handoff && student.handoff.refused.trim() === '') missing.push('a reason its handoff is refused');
  return missing;
}

/**
 * The tokens per side a batch carries for this student (each side's rows cut and padded to these). A longest-first
 * student is given more than its own lengths: up to the whole sequence (query + passage lengths + [CLS] and two
 * [SEP]) on each side, which is all the cut can keep of one side and all it compares (text/pair-cut.ts); the
 * student cuts the pair itself.
 */
export function batchLengths(student: Pick<StudentDescriptor, 'pairCut'>, c: Pick<StudentSizes, 'queryLength' | 'passageLength'>): { queryLength: number; passageLength: number } {
  if (student.pairCut === 'sides') return { queryLength: c.queryLength, passageLength: c.passageLength };
  const whole = c.queryLength + c.passageLength + PAIR_SPECIALS;
  return { queryLength: whole, passageLength: whole };
}

/** What the query and passage length fields mean for this student, where they do not simply cut each text. */
export function pairCutHelp(student: Pick<StudentDescriptor, 'pairCut'>): string | undefined {
  if (student.pairCut === 'sides') return undefined;
  return 'cat reads query and passage as one pair of at most query + passage tokens (+3 specials: the export\'s max_length), shared longest-first as transformers and CrossEncoder cut a pair: a short query leaves its room to a long passage';
}
