/**
 * The one holder of what the training worker is doing with its current student. Every service asks it before it
 * uses or replaces the student, so each refusal ("training is running: pause or stop it to export") is written once
 * here, and a state the code never meant (an evaluation of a student that a starting run is replacing) cannot be
 * entered.
 */
import type { Trainer } from '../train/trainer.core';

/** The student of the last run (or load), kept after its run ends so that it can be evaluated and exported. */
export interface CurrentStudent {
  trainer: Trainer;
  tokenizer: string;
  vocab?: string[];
  /** Losses of every step trained in this browser, for checkpoints and project files. */
  history: number[];
  runId: string;
  datasetId: string;
  /** The library model it started from, if any. */
  model: string | null;
  /** Its row name in the evaluation table, when the default (arch · loss · steps) does not say what it is. */
  label?: string;
}

/** The training loop as the holder sees it: whether it is paused, and how to pause, resume and stop it. */
export interface RunLoop {
  readonly isPaused: boolean;
  pause(): void;
  resume(): void;
  stop(): void;
}

/** What makes a new current student: a run (new or resumed), a weights file, a library model. */
export type PrepareTask = 'run' | 'weights' | 'model';

export type WorkerState =
  /** Nothing running; the student (if any) can be evaluated, tried, exported, handed off. */
  | { kind: 'idle'; student: CurrentStudent | null }
  /** A new student is being made; until `replace`, `student` is the previous one, which a failure leaves current. */
  | { kind: 'preparing'; task: PrepareTask; student: CurrentStudent | null }
  /** A run's loop, running or paused (a paused run's student can be evaluated and exported). */
  | { kind: 'training'; student: CurrentStudent; loop: RunLoop }
  /** An evaluation or a typed query; `pausedRun` is the loop of a paused run it interrupts, if any. */
  | { kind: 'evaluating'; task: EvaluationTask; student: CurrentStudent | null; pausedRun: null }
  | { kind: 'evaluating'; task: EvaluationTask; student: CurrentStudent; pausedRun: RunLoop };

/** `teacher`: cross-encoders of the library score pairs for new teacher triples (the device is theirs meanwhile). */
type EvaluationTask = 'evaluate' | 'try' | 'teacher';

/** Why each preparation is refused while something else runs. */
const PREPARE_REFUSALS: Record<PrepareTask, { busy: string; evaluating: string }> = {
  run: { busy: 'a run is already in progress; stop it first', evaluating: 'an evaluation is running; start training when it has finished' },
  weights: { busy: 'a run is in progress; stop it before loading weights', evaluating: 'an evaluation is running; load weights when it has finished' },
  model: { busy: 'a run is in progress; stop it first', evaluating: 'an evaluation is running; wait until it has finished' },
};

/** A use of the student outside training: what it is called in a refusal, and what to say when there is none. */
export interface StudentUse {
  /** Completes "training is running: pause or stop it to …". */
  doing: string;
  /** Said when there is no student. */
  none: string;
}

export class StudentHolder {
  private current: WorkerState = { kind: 'idle', student: null };

  get state(): WorkerState {
    return this.current;
  }

  get student(): CurrentStudent | null {
    return this.current.student;
  }

  /** A run's loop, running or paused (also while an evaluation interrupts it). */
  private get loop(): RunLoop | null {
    const s = this.current;
    return s.kind === 'training' ? s.loop : s.kind === 'evaluating' ? s.pausedRun : null;
  }

  /** A run is training now (not paused). */
  get trainingNow(): boolean {
    return this.current.kind === 'training' && !this.current.loop.isPaused;
  }

  /** Begins making a new current student; refused while a run, a load or an evaluation is under way. */
  beginPreparing(task: PrepareTask): void {
    const s = this.current;
    if (s.kind === 'preparing' || s.kind === 'training') throw new Error(PREPARE_REFUSALS[task].busy);
    if (s.kind === 'evaluating') throw new Error(s.task === 'teacher' ? TEACHER_BUSY : PREPARE_REFUSALS[task].evaluating);
    this.current = { kind: 'preparing', task, student: s.student };
  }

  /** The new student takes the place of the previous one, which is disposed (its weights free GPU memory). */
  replace(next: CurrentStudent | null): void {
    const s = this.expect('preparing', 'replace the student');
    s.student?.trainer.dispose();
    this.current = { ...s, student: next };
  }

  /** The preparation ends without a run: the student it made (or the previous one, if it failed before) stays. */
  endPreparing(): void {
    const s = this.expect('preparing', 'end a preparation');
    this.current = { kind: 'idle', student: s.student };
  }

  /** The prepared student starts training under `loop`. */
  beginTraining(loop: RunLoop): void {
    const s = this.expect('preparing', 'start training');
    if (s.task !== 'run' || !s.student) throw new Error('only a prepared run can start training');
    this.current = { kind: 'training', student: s.student, loop };
  }

  /** The loop has ended (done, stopped or failed); an evaluation of its paused run goes on without it. */
  endTraining(loop: RunLoop): void {
    const s = this.current;
    if (s.kind === 'training' && s.loop === loop) this.current = { kind: 'idle', student: s.student };
    else if (s.kind === 'evaluating' && s.pausedRun === loop) this.current = { kind: 'evaluating', task: s.task, student: s.student, pausedRun: null };
  }

  pause(): void {
    this.loop?.pause();
  }

  resume(): void {
    if (this.current.kind === 'evaluating') throw new Error('an evaluation is using the student; resume when it has finished');
    this.loop?.resume();
  }

  stop(): void {
    this.loop?.stop();
  }

  /**
   * Begins an evaluation (the student, if any, with BM25 and the teacher); refused while one runs, while training
   * runs, or while a new student is being made. Returns the student evaluated.
   */
  beginEvaluating(): CurrentStudent | null {
    return this.beginDeviceWork('evaluate', 'evaluate');
  }

  /**
   * Begins scoring pairs with teachers for new triples; refused while training runs (a paused run waits), while
   * an evaluation runs, or while a new student is being made. Returns the current student (a dot student can mine
   * dense negatives).
   */
  beginTeacher(): CurrentStudent | null {
    return this.beginDeviceWork('teacher', 'make teacher triples');
  }

  private beginDeviceWork(task: 'evaluate' | 'teacher', doing: string): CurrentStudent | null {
    const s = this.current;
    if (s.kind === 'evaluating') throw new Error(s.task === 'teacher' ? TEACHER_BUSY : 'an evaluation is already running');
    if (s.kind === 'training' && !s.loop.isPaused) throw new Error(`training is running: pause or stop it to ${doing}`);
    if (s.kind === 'preparing') throw new Error(preparingRefusal(s.task, doing));
    this.current = s.kind === 'training' ? { kind: 'evaluating', task, student: s.student, pausedRun: s.loop } : { kind: 'evaluating', task, student: s.student, pausedRun: null };
    return s.student;
  }

  /** Begins a typed query against the student; refused without one, while training runs, or while evaluating. */
  beginTrying(): CurrentStudent {
    const student = this.use({ doing: 'try the student', none: 'no student has been trained or loaded since the page was opened' });
    const s = this.current;
    if (s.kind === 'evaluating') throw new Error(s.task === 'teacher' ? TEACHER_BUSY : 'an evaluation is running; try the student when it has finished');
    this.current = s.kind === 'training' ? { kind: 'evaluating', task: 'try', student, pausedRun: s.loop } : { kind: 'evaluating', task: 'try', student, pausedRun: null };
    return student;
  }

  /** The evaluation (or query) has ended; a paused run it interrupted is a run again. */
  endEvaluating(): void {
    const s = this.expect('evaluating', 'end an evaluation');
    this.current = s.pausedRun ? { kind: 'training', student: s.student, loop: s.pausedRun } : { kind: 'idle', student: s.student };
  }

  /**
   * The student for a use that only reads it (export, handoff, project file, a query): refused when there is none,
   * while training runs, or while a new one is being made.
   */
  use(use: StudentUse): CurrentStudent {
    const s = this.current;
    if (s.kind === 'preparing') throw new Error(preparingRefusal(s.task, use.doing));
    if (!s.student) throw new Error(use.none);
    this.refuseWhileTraining(use.doing);
    return s.student;
  }

  /** Refuses work that would compete with a running (not paused) run for the device. */
  refuseWhileTraining(doing: string): void {
    if (this.trainingNow) throw new Error(`training is running: pause or stop it to ${doing}`);
  }

  private expect<K extends WorkerState['kind']>(kind: K, action: string): Extract<WorkerState, { kind: K }> {
    const s = this.current;
    // Reaching this is a defect of the services (a transition out of order), not something a person did.
    if (s.kind !== kind) throw new Error(`cannot ${action} while ${s.kind}`);
    return s as Extract<WorkerState, { kind: K }>;
  }
}

const TEACHER_BUSY = 'teacher triples are being made; wait until they are done, or cancel them';

function preparingRefusal(task: PrepareTask, doing: string): string {
  const what = task === 'run' ? 'a run is being prepared' : task === 'weights' ? 'weights are being loaded' : 'a library model is being loaded';
  return `${what}; ${doing} when it is ready`;
}
