import { describe, expect, expectTypeOf, it } from 'vitest';
import { dispatch, HANDLERS, type HandlerTable, type WorkerServices } from './handlers';
import { parseTrainerRequest, REQUEST_TYPES, type RequestType, type TrainerResults } from './protocol';

const notHere = async (): Promise<never> => {
  throw new Error('not called in this test');
};

/** Services that record what the handlers asked of them and answer with small known values. */
function fakeServices() {
  const calls: string[] = [];
  const services: WorkerServices = {
    training: {
      start: (datasetId, config, resumeFrom) => {
        calls.push(`start ${datasetId} ${JSON.stringify(config)} ${resumeFrom ?? '-'}`);
      },
      pause: () => {
        calls.push('pause');
      },
      resume: () => {
        throw new Error('an evaluation is using the student; resume when it has finished');
      },
      stop: () => {
        calls.push('stop');
      },
    },
    evaluation: {
      evaluate: notHere,
      tryQuery: notHere,
      releaseFiles: () => {
        calls.push('release');
      },
    },
    exports: {
      exportWeights: async () => ({ tensors: [{ name: 'w', dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) }], metadata: { steps: '3' } }),
      exportProject: notHere,
      exportHuggingFace: async ({ teacherFiles }) => ({ fileName: `${teacherFiles.join('+')}.zip`, bytes: new Uint8Array([7, 8, 9]) }),
      exportWeb: async ({ teacherFiles }) => ({ fileName: `${teacherFiles.join('+')}-web.zip`, bytes: new Uint8Array([4, 5]) }),
    },
    handoff: { exportHandoff: notHere },
    models: {
      importModel: notHere,
      useModel: async (datasetId, modelId) => {
        calls.push(`use ${datasetId} ${modelId}`);
      },
      loadWeights: notHere,
    },
    teacher: {
      make: notHere,
      cancel: () => {
        calls.push('teacher-cancel');
      },
      discard: async (datasetId) => {
        calls.push(`teacher-discard ${datasetId}`);
      },
    },
    gpuFault: (fault) => fault === 'lose-device',
  };
  return { services, calls };
}

describe('the handler table', () => {
  it('has exactly one entry per request type (compile time), the list the parser accepts', () => {
    expectTypeOf<keyof typeof HANDLERS>().toEqualTypeOf<RequestType>();
    // A table that misses a request type does not compile.
    // @ts-expect-error 'try' is missing
    const missing: HandlerTable = { ...HANDLERS, try: undefined };
    expect(missing.try).toBeUndefined();
    expect(Object.keys(HANDLERS).sort()).toEqual([...REQUEST_TYPES].sort());
    expect(REQUEST_TYPES).toHaveLength(19);
  });

  it('answers each request with the result its type promises, and moves the buffers it names', async () => {
    const { services, calls } = fakeServices();
    // As the worker does: a request parsed from a message (its type known only at run time).
    const hf = await dispatch(parseTrainerRequest({ id: 1, type: 'export-hf', teacherFiles: ['t1', 't2'], evaluation: [] }), services);
    expect(hf.result).toEqual({ fileName: 't1+t2.zip', bytes: new Uint8Array([7, 8, 9]) });

    // Written as the page writes it, each result has its own type: no cast at the caller.
    const weights = await dispatch({ id: 2, type: 'export' }, services);
    expectTypeOf(weights.result).toEqualTypeOf<TrainerResults['export']>();
    expect(weights.result.tensors[0]?.data).toEqual(new Float32Array([1, 2]));
    expect(weights.transfer).toEqual([weights.result.tensors[0]?.data.buffer]);

    const zip = await dispatch({ id: 3, type: 'export-hf', teacherFiles: [], evaluation: [] }, services);
    expectTypeOf(zip.result).toEqualTypeOf<{ fileName: string; bytes: Uint8Array }>();
    expect(zip.transfer).toEqual([zip.result.bytes.buffer]);
    expect(parseTrainerRequest({ id: 5, type: 'export-web', teacherFiles: ['t', 3], evaluation: 'not rows' })).toEqual({ id: 5, type: 'export-web', teacherFiles: ['t'], evaluation: [] });
    const web = await dispatch({ id: 5, type: 'export-web', teacherFiles: ['t'], evaluation: [] }, services);
    expect(web.result).toEqual({ fileName: 't-web.zip', bytes: new Uint8Array([4, 5]) });
    expect(web.transfer).toEqual([web.result.bytes.buffer]);

    const started = await dispatch({ id: 4, type: 'start', datasetId: 'd', config: { steps: 5 } }, services);
    expectTypeOf(started.result).toEqualTypeOf<{ ok: true }>();
    expect(started).toEqual({ result: { ok: true }, transfer: [] });
    expect((await dispatch({ id: 5, type: 'use-model', datasetId: 'd', modelId: 'm', config: {} }, services)).result).toEqual({ ok: true });
    const fault = await dispatch({ id: 6, type: 'debug-gpu-fault', fault: 'lose-device' }, services);
    expectTypeOf(fault.result).toEqualTypeOf<{ done: boolean }>();
    expect(fault.result).toEqual({ done: true });
    expect((await dispatch(parseTrainerRequest({ id: 7, type: 'teacher-discard', datasetId: 'd' }), services)).result).toEqual({ ok: true });
    expect((await dispatch({ id: 8, type: 'teacher-cancel' }, services)).result).toEqual({ ok: true });
    expect(calls).toEqual(['start d {"steps":5} -', 'use d m', 'teacher-discard d', 'teacher-cancel']);
  });

  it('turns a refusal into a rejected request with its message', async () => {
    const { services } = fakeServices();
    await expect(dispatch({ id: 1, type: 'resume' }, services)).rejects.toThrow('an evaluation is using the student; resume when it has finished');
    await expect(dispatch({ id: 2, type: 'export-project' }, services)).rejects.toThrow('not called in this test');
  });
});
