/**
 * The loop that drives a Trainer to its step budget: losses read back every `logEvery` steps, probes, dev checks and
 * checkpoints between steps (so always at step boundaries, never inside a step's gradient accumulation), pause,
 * resume and stop. No DOM and no worker API here.
 */
import * as tf from '../model/tf';
import type { Trainer } from './trainer.core';

export interface LoopHooks {
  onMetrics(m: { steps: Int32Array; losses: Float32Array; epoch: number; stepsPerSecond: number; triplesPerSecond: number; numTensors: number }): void;
  onProbe(p: { step: number; pos: Float32Array; neg: Float32Array }): void;
  /** Dev-set evaluation every `evalEvery` steps; absent when the dataset cannot be evaluated. */
  onEvaluate?(step: number): Promise<void>;
  /** Saves a checkpoint: every `checkpointEvery` steps (or about once a minute) and when the run pauses. */
  onCheckpoint?(step: number): Promise<void>;
  /** After each step: checks that may end the run by throwing (a failed GPU device), and memory housekeeping. */
  afterStep?(step: number): Promise<void>;
}

function yieldToEventLoop(): Promise<void> {
  // A macrotask, so that pause and stop messages get handled between steps; setTimeout(0) is clamped to 4 ms.
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** With `checkpointEvery` 0, a checkpoint about this often. */
const CHECKPOINT_INTERVAL_MS = 60_000;

/** Drives a Trainer to its step budget, reading losses back every `logEvery` steps. */
export class TrainingLoop {
  private paused = false;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly trainer: Trainer,
    private readonly hooks: LoopHooks,
  ) {}

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Resolves 'done' when the step budget is used up, 'stopped' when stop() was called. */
  async run(onPauseChange: (paused: boolean) => void): Promise<'done' | 'stopped'> {
    const { trainer } = this;
    const cfg = trainer.config;
    let pending: tf.Scalar[] = [];
    let windowStart = performance.now();

    const flush = async () => {
      if (pending.length === 0) return;
      const first = trainer.stepsDone - pending.length + 1;
      const stacked = tf.stack(pending);
      // GPU→CPU sync: once per logEvery steps, for all of their losses at once.
      const losses = Float32Array.from(await stacked.data());
      stacked.dispose();
      for (const t of pending) t.dispose();
      const seconds = Math.max((performance.now() - windowStart) / 1000, 1e-6);
      const stepsPerSecond = pending.length / seconds;
      pending = [];
      windowStart = performance.now();
      this.hooks.onMetrics({
        steps: Int32Array.from(losses, (_, i) => first + i),
        losses,
        epoch: trainer.epoch,
        stepsPerSecond,
        triplesPerSecond: stepsPerSecond * cfg.batchSize,
        numTensors: tf.memory().numTensors,
      });
    };

    const probe = async () => {
      const s = await trainer.probe();
      this.hooks.onProbe({ step: trainer.stepsDone, ...s });
    };

    let lastCheckpoint = { step: trainer.stepsDone, at: performance.now() };
    const checkpoint = async () => {
      if (!this.hooks.onCheckpoint || trainer.stepsDone === lastCheckpoint.step) return;
      await flush();
      await this.hooks.onCheckpoint(trainer.stepsDone);
      lastCheckpoint = { step: trainer.stepsDone, at: performance.now() };
      windowStart = performance.now();
    };
    const checkpointDue = (step: number) =>
      cfg.checkpointEvery > 0 ? step % cfg.checkpointEvery === 0 : performance.now() - lastCheckpoint.at >= CHECKPOINT_INTERVAL_MS;

    await probe();
    windowStart = performance.now();
    while (trainer.stepsDone < cfg.steps && !this.stopped) {
      if (this.paused) {
        await flush();
        await checkpoint();
        // Stop or Resume may have come while the checkpoint was written: a wake-up set only now would miss them.
        if (this.stopped) break;
        if (this.paused) {
          onPauseChange(true);
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = null;
          if (this.stopped) break;
          onPauseChange(false);
        }
        windowStart = performance.now();
        continue;
      }
      pending.push(trainer.step());
      const step = trainer.stepsDone;
      if (this.hooks.afterStep) await this.hooks.afterStep(step);
      if (pending.length >= cfg.logEvery || step === cfg.steps) await flush();
      if (step % cfg.probeEvery === 0 || step === cfg.steps) {
        await flush();
        await probe();
        windowStart = performance.now();
      }
      if (step < cfg.steps && checkpointDue(step)) await checkpoint();
      if (this.hooks.onEvaluate && cfg.evalEvery > 0 && (step % cfg.evalEvery === 0 || step === cfg.steps)) {
        await flush();
        await this.hooks.onEvaluate(step);
        windowStart = performance.now();
      }
      await yieldToEventLoop();
    }
    await flush();
    return this.stopped ? 'stopped' : 'done';
  }
}
