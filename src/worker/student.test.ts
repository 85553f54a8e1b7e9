import { describe, expect, it } from 'vitest';
import type { Trainer } from '../train/trainer.core';
import { StudentHolder, type CurrentStudent, type RunLoop } from './student';

/** A student whose trainer only records that it was disposed (the holder touches nothing else of it). */
function fakeStudent(runId: string): { student: CurrentStudent; disposed: () => boolean } {
  let disposed = false;
  const trainer = { dispose: () => (disposed = true) } as unknown as Trainer;
  return { student: { trainer, tokenizer: 'bert', history: [], runId, datasetId: 'd', model: null }, disposed: () => disposed };
}

/** A loop that is paused, resumed and stopped the way TrainingLoop is (stopping ends it for the run). */
function fakeLoop(): RunLoop & { isPaused: boolean; stopped: boolean } {
  return {
    isPaused: false,
    stopped: false,
    pause() {
      this.isPaused = true;
    },
    resume() {
      this.isPaused = false;
    },
    stop() {
      this.stopped = true;
    },
  };
}

/** A holder with a run training `student` under `loop`. */
function training(student: CurrentStudent, loop: RunLoop): StudentHolder {
  const holder = new StudentHolder();
  holder.beginPreparing('run');
  holder.replace(student);
  holder.beginTraining(loop);
  return holder;
}

const EXPORT = { doing: 'export', none: 'no student has been trained since the page was opened' };

describe('the holder of the current student', () => {
  it('starts idle with no student: uses that need one are refused with what to do', () => {
    const holder = new StudentHolder();
    expect(holder.state).toEqual({ kind: 'idle', student: null });
    expect(() => holder.use(EXPORT)).toThrow('no student has been trained since the page was opened');
    expect(() => holder.beginTrying()).toThrow('no student has been trained or loaded since the page was opened');
    // Evaluation without a student still compares BM25 and the teacher.
    expect(holder.beginEvaluating()).toBeNull();
    holder.endEvaluating();
    expect(holder.state).toEqual({ kind: 'idle', student: null });
  });

  it('refuses evaluation, a query, exports and another run while a run trains; allows them once it is paused', () => {
    const { student } = fakeStudent('run-1');
    const loop = fakeLoop();
    const holder = training(student, loop);
    expect(holder.trainingNow).toBe(true);
    expect(() => holder.beginEvaluating()).toThrow('training is running: pause or stop it to evaluate');
    expect(() => holder.beginTrying()).toThrow('training is running: pause or stop it to try the student');
    expect(() => holder.use(EXPORT)).toThrow('training is running: pause or stop it to export');
    expect(() => holder.refuseWhileTraining('import a model')).toThrow('training is running: pause or stop it to import a model');
    expect(() => holder.beginPreparing('run')).toThrow('a run is already in progress; stop it first');
    expect(() => holder.beginPreparing('weights')).toThrow('a run is in progress; stop it before loading weights');
    expect(holder.state.kind).toBe('training');

    holder.pause();
    expect(loop.isPaused).toBe(true);
    expect(holder.trainingNow).toBe(false);
    expect(holder.use(EXPORT)).toBe(student);
    // Still a run: another cannot start while this one is paused.
    expect(() => holder.beginPreparing('model')).toThrow('a run is in progress; stop it first');
  });

  it('keeps a paused run waiting while its student is evaluated, and gives it back afterwards', () => {
    const { student } = fakeStudent('run-1');
    const loop = fakeLoop();
    const holder = training(student, loop);
    holder.pause();
    expect(holder.beginEvaluating()).toBe(student);
    expect(holder.state).toEqual({ kind: 'evaluating', task: 'evaluate', student, pausedRun: loop });
    expect(() => holder.resume()).toThrow('an evaluation is using the student; resume when it has finished');
    expect(loop.isPaused).toBe(true);
    expect(() => holder.beginEvaluating()).toThrow('an evaluation is already running');
    expect(() => holder.beginTrying()).toThrow('an evaluation is running; try the student when it has finished');
    expect(() => holder.beginPreparing('run')).toThrow('an evaluation is running; start training when it has finished');
    expect(() => holder.beginPreparing('weights')).toThrow('an evaluation is running; load weights when it has finished');
    // Reading the weights does not disturb an evaluation.
    expect(holder.use(EXPORT)).toBe(student);

    holder.endEvaluating();
    expect(holder.state).toEqual({ kind: 'training', student, loop });
    holder.resume();
    expect(holder.trainingNow).toBe(true);
  });

  it('lets a run stopped during an evaluation end; the evaluation then returns to an idle student', () => {
    const { student, disposed } = fakeStudent('run-1');
    const loop = fakeLoop();
    const holder = training(student, loop);
    holder.pause();
    holder.beginTrying();
    holder.stop();
    expect(loop.stopped).toBe(true);
    holder.endTraining(loop);
    expect(holder.state).toEqual({ kind: 'evaluating', task: 'try', student, pausedRun: null });
    holder.endEvaluating();
    expect(holder.state).toEqual({ kind: 'idle', student });
    expect(disposed()).toBe(false);
  });

  it('disposes the previous student when a new one replaces it, and keeps it when the preparation fails first', () => {
    const first = fakeStudent('run-1');
    const loop = fakeLoop();
    const holder = training(first.student, loop);
    holder.endTraining(loop);
    expect(holder.state).toEqual({ kind: 'idle', student: first.student });

    // A run refused before its student is made (the memory plan, a missing dataset) leaves the last one current.
    holder.beginPreparing('run');
    expect(holder.student).toBe(first.student);
    holder.endPreparing();
    expect(holder.state).toEqual({ kind: 'idle', student: first.student });
    expect(first.disposed()).toBe(false);

    const second = fakeStudent('imported-1');
    holder.beginPreparing('weights');
    holder.replace(second.student);
    expect(first.disposed()).toBe(true);
    holder.endPreparing();
    expect(holder.state).toEqual({ kind: 'idle', student: second.student });
  });

  it('refuses to evaluate, try or export a student that is being replaced', () => {
    const { student } = fakeStudent('run-1');
    const holder = new StudentHolder();
    holder.beginPreparing('run');
    holder.replace(student);
    holder.endPreparing();
    holder.beginPreparing('model');
    expect(() => holder.beginEvaluating()).toThrow('a library model is being loaded; evaluate when it is ready');
    expect(() => holder.beginTrying()).toThrow('a library model is being loaded; try the student when it is ready');
    expect(() => holder.use(EXPORT)).toThrow('a library model is being loaded; export when it is ready');
    expect(() => holder.beginPreparing('run')).toThrow('a run is already in progress; stop it first');
  });

  it('rejects transitions out of order and ignores the end of a loop it no longer holds', () => {
    const holder = new StudentHolder();
    expect(() => holder.beginTraining(fakeLoop())).toThrow('cannot start training while idle');
    expect(() => holder.endEvaluating()).toThrow('cannot end an evaluation while idle');
    holder.beginPreparing('weights');
    holder.replace(fakeStudent('w').student);
    expect(() => holder.beginTraining(fakeLoop())).toThrow('only a prepared run can start training');
    holder.endPreparing();

    const { student } = fakeStudent('run-2');
    const loop = fakeLoop();
    const running = training(student, loop);
    running.endTraining(fakeLoop());
    expect(running.state).toEqual({ kind: 'training', student, loop });
    // Without a loop, pause, resume and stop do nothing (the page may send them late).
    expect(() => holder.pause()).not.toThrow();
    expect(() => holder.stop()).not.toThrow();
  });
});
