/**
 * Charts redraw one at a time, each at most a few times a second. A probe changes five recharts charts at once, and
 * drawn together they held the page's main thread for hundreds of milliseconds on a slow machine (bench:train's
 * long-task report, BENCHMARKS.md). Here each chart takes its new data in a task of its own, a gap after the one
 * before, so that no single task draws more than one chart, and the page answers input between them. The cost: a
 * chart shows new data up to REDRAW_INTERVAL_MS plus a few gaps late, which a person watching a run does not see.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';

/** The shortest time between two redraws of one chart: at most four a second. */
export const REDRAW_INTERVAL_MS = 250;
/** The time between two charts' redraws: more than a frame, so that each redraw and the layout after it are apart. */
export const REDRAW_GAP_MS = 40;

/** Redraws waiting for their turn, one per chart (the newest data replaces older data still waiting). */
export class RedrawQueue {
  private readonly jobs = new Map<object, { due: number; run: () => void }>();
  private readonly last = new WeakMap<object, number>();
  private nextAllowed = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly intervalMs = REDRAW_INTERVAL_MS,
    private readonly gapMs = REDRAW_GAP_MS,
  ) {}

  /** Runs `run` when `chart` may redraw next; a redraw already waiting for `chart` is replaced, keeping its turn. */
  enqueue(chart: object, run: () => void): void {
    const waiting = this.jobs.get(chart);
    const due = waiting?.due ?? (this.last.get(chart) ?? -Infinity) + this.intervalMs;
    this.jobs.set(chart, { due, run });
    this.schedule();
  }

  cancel(chart: object): void {
    this.jobs.delete(chart);
  }

  get waiting(): number {
    return this.jobs.size;
  }

  private schedule(): void {
    if (this.timer !== null || this.jobs.size === 0) return;
    let at = Infinity;
    for (const job of this.jobs.values()) at = Math.min(at, job.due);
    this.timer = setTimeout(() => this.pump(), Math.max(0, Math.max(at, this.nextAllowed) - performance.now()));
  }

  private pump(): void {
    this.timer = null;
    const now = performance.now();
    // In insertion order: of the charts that may redraw, the one waiting longest goes first.
    for (const [chart, job] of this.jobs) {
      if (job.due > now) continue;
      this.jobs.delete(chart);
      this.last.set(chart, now);
      this.nextAllowed = now + this.gapMs;
      job.run();
      break;
    }
    this.schedule();
  }
}

const queue = new RedrawQueue();

/**
 * `value` as the chart should draw it now: the newest value, handed over through the redraw queue. `now` skips the
 * queue (a cleared chart, or a value a person asked for), so that what the page shows never waits behind a redraw.
 */
export function useRedrawn<T>(value: T, now = false): T {
  const [drawn, setDrawn] = useState(() => value);
  const chart = useRef<object>({}).current;
  const shown = useRef(drawn);
  shown.current = drawn;
  useLayoutEffect(() => {
    if (Object.is(value, shown.current)) {
      queue.cancel(chart);
      return;
    }
    if (now) {
      queue.cancel(chart);
      setDrawn(() => value);
    } else {
      queue.enqueue(chart, () => setDrawn(() => value));
    }
  }, [value, now, chart]);
  useEffect(() => () => queue.cancel(chart), [chart]);
  return drawn;
}
