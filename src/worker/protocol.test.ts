import { describe, expect, it } from 'vitest';
import { parseTrainerRequest } from './protocol';
import { parseImportRequest } from '../data/import.protocol';

describe('trainer protocol', () => {
  it('checks export-handoff and use-model', () => {
    expect(parseTrainerRequest({ id: 3, type: 'export-handoff', datasetId: 'd', from: 'current', wholeCollection: true })).toEqual({ id: 3, type: 'export-handoff', datasetId: 'd', from: 'current', wholeCollection: true });
    expect(() => parseTrainerRequest({ id: 3, type: 'export-handoff', datasetId: 'd', from: 'elsewhere', wholeCollection: true })).toThrow(/from must be "start" or "current"/);
    expect(() => parseTrainerRequest({ id: 3, type: 'export-handoff', datasetId: 'd', from: 'start' })).toThrow(/wholeCollection must be true or false/);
    expect(parseTrainerRequest({ id: 4, type: 'use-model', datasetId: 'd', modelId: 'm', config: { queryLength: 8 } })).toEqual({ id: 4, type: 'use-model', datasetId: 'd', modelId: 'm', config: { queryLength: 8 } });
    expect(() => parseTrainerRequest({ id: 4, type: 'use-model', datasetId: 'd', config: {} })).toThrow(/use-model needs a modelId/);
  });

  it('accepts each known request', () => {
    expect(parseTrainerRequest({ id: 1, type: 'start', datasetId: 'd', config: { steps: 5 } })).toEqual({ id: 1, type: 'start', datasetId: 'd', config: { steps: 5 } });
    for (const type of ['pause', 'resume', 'stop', 'release-files']) expect(parseTrainerRequest({ id: 2, type })).toEqual({ id: 2, type });
    expect(parseTrainerRequest({ id: 3, type: 'debug-gpu-fault', fault: 'lose-device' })).toEqual({ id: 3, type: 'debug-gpu-fault', fault: 'lose-device' });
    expect(() => parseTrainerRequest({ id: 3, type: 'debug-gpu-fault', fault: 'melt' })).toThrow(/fault must be "lose-device" or "validation-error"/);
  });

  it.each([
    [{ id: 1, type: 'explode' }, /unknown message type "explode"/],
    [{ id: 1 }, /unknown message type undefined/],
    [{ type: 'pause' }, /no integer id/],
    [{ id: 1.5, type: 'pause' }, /no integer id/],
    ['pause', /not an object/],
    [null, /not an object/],
    [{ id: 1, type: 'start', config: {} }, /datasetId/],
    [{ id: 1, type: 'start', datasetId: 'd', config: [] }, /config object/],
    [{ id: 1, type: 'start', datasetId: 'd', config: { backend: 'tpu' } }, /unknown backend tpu/],
  ])('rejects %j', (msg, error) => {
    expect(() => parseTrainerRequest(msg)).toThrow(error);
  });
});

describe('import protocol', () => {
  it('accepts load-demo and cancel, rejects the rest', () => {
    expect(parseImportRequest({ id: 3, type: 'load-demo', seed: 9 })).toEqual({ id: 3, type: 'load-demo', seed: 9 });
    expect(parseImportRequest({ id: 4, type: 'cancel' })).toEqual({ id: 4, type: 'cancel' });
    expect(() => parseImportRequest({ id: 5, type: 'load-demo', seed: 'x' })).toThrow(/integer seed/);
    expect(() => parseImportRequest({ id: 6, type: 'start' })).toThrow(/unknown message type "start"/);
  });

  it('checks import-files: files present, layouts known, threshold a share', () => {
    const file = new File(['1\tq'], 'queries.tsv');
    expect(parseImportRequest({ id: 7, type: 'import-files', files: [{ file }, { file, layout: 'queries' }], threshold: 0.05 })).toEqual({
      id: 7,
      type: 'import-files',
      files: [{ file }, { file, layout: 'queries' }],
      threshold: 0.05,
    });
    expect(() => parseImportRequest({ id: 8, type: 'import-files', files: [] })).toThrow(/non-empty list of files/);
    expect(() => parseImportRequest({ id: 9, type: 'import-files', files: [{ name: 'x.tsv' }] })).toThrow(/entry 0 has no file/);
    expect(() => parseImportRequest({ id: 10, type: 'import-files', files: [{ file, layout: 'csv' }] })).toThrow(/unknown layout "csv"/);
    expect(() => parseImportRequest({ id: 11, type: 'import-files', files: [{ file }], threshold: 2 })).toThrow(/share between 0 and 1/);
  });
});
