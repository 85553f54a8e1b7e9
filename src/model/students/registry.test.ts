/**
 * The students' registry: every registered student is whole (a descriptor that says everything, a model the worker
 * builds, and the two agreeing), the page's half imports no tfjs, and a sixth student (src/testing/sixth-student.ts,
 * one module) joins with one registry line and goes through the generic code: sizes, FLOPs, config fields, handoff.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../tf';
import { tokenBatch } from '../layers/transformer';
import { FUSED_KERNELS } from '../kernels';
import { checkLengths } from '../pretrained/sequences';
import { batchLengths, countParameters, encoderFlops, pairCutHelp, incompleteParts, showsField, sizesOnCheckpoint, STUDENT_FIELDS, type StudentDescriptor } from './descriptor';
import { buildStudent } from './index';
import { STUDENT_MODULES, type StudentModule } from './models';
import { ARCHS, isArch, STUDENTS, studentForHandoffKind, studentOf } from './registry';
import type { StudentConfig } from './student';
import { sixthStudent } from '../../testing/sixth-student';
import { handoffKindOf, HandoffRefused } from '../../handoff/mapping';

/** The one line a sixth student takes: the real registry and the new module. */
const REGISTRY: readonly StudentModule[] = [...STUDENT_MODULES, sixthStudent];

const CONFIG: StudentConfig = { vocabSize: 50, queryLength: 4, passageLength: 6, hidden: 8, heads: 2, ffn: 12, layers: 1, pooling: 'mean', compressDim: 4, jointLayers: 1, cls: 1, sep: 2 };
const LARGER: StudentConfig = { ...CONFIG, hidden: 12, heads: 3, ffn: 20, layers: 2, jointLayers: 2, compressDim: 6, queryLength: 5, passageLength: 9 };
const batch = (rows: number[][]) => tokenBatch(Int32Array.from(rows.flat()), rows.length, rows[0]?.length ?? 0);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the registry', () => {
  it('lists the five students of the paper by unique names, in one order', () => {
    expect(ARCHS).toEqual(['dot', 'colbert', 'tk', 'prett', 'cat']);
    expect(new Set(STUDENTS.map((s) => s.label)).size).toBe(STUDENTS.length);
    expect(STUDENT_MODULES.map((m) => m.descriptor.name)).toEqual(ARCHS);
    expect(isArch('cat')).toBe(true);
    expect(isArch('cosine')).toBe(false);
  });

  it('finds a student by name and by the class it hands off as, and says what is missing', () => {
    expect(studentOf('prett').name).toBe('prett');
    expect(() => studentOf('nope' as never)).toThrow('no student named nope; the students are dot, colbert, tk, prett, cat');
    expect(studentForHandoffKind('bi-encoder')).toBe('dot');
    expect(studentForHandoffKind('cross-encoder')).toBe('cat');
  });
});

const SRC = resolve(__dirname, '../..');

/** The modules a file reaches through its relative imports (type-only ones too), and the packages it names. */
function reach(start: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?(?:from\s+)?'([^']+)'/gm)) {
      const spec = m[1] as string;
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const base = resolve(dirname(file), spec);
      const found = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), base].find((f) => {
        try {
          return statSync(f).isFile();
        } catch {
          return false;
        }
      });
      if (found) visit(found);
    }
  };
  visit(start);
  return { files, packages };
}

describe('the page\'s half of the students', () => {
  it('reaches no tfjs from the registry, the descriptors or the kernel choices', () => {
    for (const entry of ['model/students/registry.ts', 'model/students/descriptor.ts', 'model/kernels/choice.ts']) {
      const { files, packages } = reach(join(SRC, entry));
      const names = [...files].map((f) => relative(SRC, f));
      // The walk saw what it should: every student's descriptor from the registry.
      if (entry.endsWith('registry.ts')) expect(names.filter((n) => n.endsWith('/descriptor.ts'))).toHaveLength(ARCHS.length + 1);
      expect([...packages].filter((p) => p.startsWith('@tensorflow')), entry).toEqual([]);
      expect(names.filter((n) => n === 'model/tf.ts' || n.endsWith('/model.ts') || n.startsWith('model/kernels/') && n !== 'model/kernels/choice.ts' || n.startsWith('model/layers/')), entry).toEqual([]);
    }
  });

  it('would see tfjs where it is (the walk is not blind)', () => {
    expect([...reach(join(SRC, 'model/students/models.ts')).packages].some((p) => p.startsWith('@tensorflow'))).toBe(true);
  });
});

describe.each(REGISTRY.map((m) => [m.descriptor.name, m] as const))('the %s student is complete', (_name, module: StudentModule) => {
  const d: StudentDescriptor = module.descriptor;

  it('has a descriptor that says everything', () => {
    expect(incompleteParts(d)).toEqual([]);
    expect(d.check(CONFIG)).toBeNull();
    expect(d.encoderLength(CONFIG)).toBeGreaterThanOrEqual(Math.max(CONFIG.queryLength, CONFIG.passageLength));
  });

  it('builds as its descriptor says: its name, the weights counted without building it, finite scores', async () => {
    for (const config of [CONFIG, LARGER]) {
      const student = buildStudent(module.model, config, 3, FUSED_KERNELS);
      try {
        expect(student.arch).toBe(d.name);
        expect(student.parameterCount()).toBe(countParameters(d, config));
        const q = batch([[5, 6, 7, 0], [8, 9, 0, 0]].map((r) => [...r, ...new Array(config.queryLength - 4).fill(0)]));
        const p = batch([[5, 10, 11, 0, 0, 0], [12, 13, 14, 15, 16, 17]].map((r) => [...r, ...new Array(config.passageLength - 6).fill(0)]));
        const scores = await student.scorePairs(q, p).data();
        expect(scores).toHaveLength(2);
        expect([...scores].every(Number.isFinite)).toBe(true);
      } finally {
        student.dispose();
      }
    }
  });
});

describe('a sixth student, through the generic code', () => {
  const sixth = sixthStudent.descriptor;

  it('is refused for a size its descriptor rules out', () => {
    expect(sixth.check({ ...CONFIG, layers: 0 })).toBe('the cosine student needs a layer');
  });

  it('shows the config fields it reads and hides the other students\' own', () => {
    expect(STUDENT_FIELDS.filter((f) => showsField(sixth, f))).toEqual(['pooling']);
    expect(showsField(sixth, 'hidden')).toBe(true);
    expect(STUDENT_FIELDS.filter((f) => showsField(studentOf('prett'), f))).toEqual(['jointLayers']);
  });

  it('counts its FLOPs: a batch of queries and twice as many passages, backward twice the forward', () => {
    const c = { hidden: 8, ffn: 12, layers: 2, queryLength: 4, passageLength: 6, batchSize: 3 };
    // Per layer and sequence of L tokens: L·(8d² + 4df) + 4L²d, with d = 8, f = 12.
    const layer = (length: number) => length * (8 * 64 + 4 * 8 * 12) + 4 * length * length * 8;
    expect(encoderFlops(4, c)).toBe(2 * layer(4));
    expect(sixth.trainingStepFlops(c)).toBe(3 * (3 * 2 * layer(4) + 2 * 3 * 2 * layer(6)));
  });

  it('takes the sizes its descriptor lists from a checkpoint, the others from the config', () => {
    const dims = { hidden: 32, heads: 4, ffn: 64, layers: 6, vocabSize: 1000 };
    expect(sizesOnCheckpoint(sixth, CONFIG, dims)).toEqual({ ...CONFIG, hidden: 32, heads: 4, ffn: 64, layers: 6, vocabSize: 1000 });
    // PreTTR: the configured split stays, the joint layers are the checkpoint's above it; tk keeps all but the width.
    expect(sizesOnCheckpoint(studentOf('prett'), { ...CONFIG, layers: 2 }, dims)).toMatchObject({ hidden: 32, heads: 4, ffn: 64, layers: 2, jointLayers: 4 });
    expect(sizesOnCheckpoint(studentOf('tk'), CONFIG, dims)).toEqual({ ...CONFIG, hidden: 32, vocabSize: 1000 });
  });

  it('checks its sequences against a checkpoint\'s positions as a student that encodes apart', () => {
    const model = { dims: { maxPositions: 10 } };
    expect(() => checkLengths(model, 8, 8, sixth)).not.toThrow();
    expect(() => checkLengths(model, 8, 9, sixth)).toThrow('9 passage tokens + [CLS] + [SEP] = 11 positions');
  });

  it('is refused by the handoff with its own reason, and carried as the class its descriptor names', () => {
    expect(() => handoffKindOf(sixth)).toThrow(HandoffRefused);
    expect(() => handoffKindOf(sixth)).toThrow('cannot hand this run off: the cosine student exists only in the tests. The handoff carries dot students (as a SentenceTransformer) and cat students (as a CrossEncoder)');
    expect(handoffKindOf({ ...sixth, handoff: { kind: 'bi-encoder' } })).toBe('bi-encoder');
  });

  it('would be reported incomplete without a label or with an unknown field', () => {
    expect(incompleteParts({ ...sixth, label: '' })).toEqual(['a label a person can read']);
    expect(incompleteParts({ ...sixth, fields: ['width' as never], fromCheckpoint: [] })).toEqual(['hidden in fromCheckpoint (every student takes the checkpoint\'s width)', 'a known field (got width)']);
  });
});

describe('pair cut', () => {
  it('only cat cuts pairs longest-first: its batches carry the whole pair per side, and its length fields say so', () => {
    for (const s of STUDENTS) {
      const longest = s.name === 'cat';
      expect(s.pairCut).toBe(longest ? 'longest-first' : 'sides');
      expect(batchLengths(s, { queryLength: 8, passageLength: 24 })).toEqual(longest ? { queryLength: 35, passageLength: 35 } : { queryLength: 8, passageLength: 24 });
      expect(pairCutHelp(s)).toEqual(longest ? expect.stringContaining('longest-first') : undefined);
    }
  });
});
