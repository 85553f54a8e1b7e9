import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RedrawQueue } from './redraw';

describe('RedrawQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('redraws one chart per task, a gap apart, the one waiting longest first', () => {
    const q = new RedrawQueue(250, 40);
    const drawn: string[] = [];
    const [a, b, c] = [{}, {}, {}];
    q.enqueue(a, () => drawn.push('a'));
    q.enqueue(b, () => drawn.push('b'));
    q.enqueue(c, () => drawn.push('c'));
    vi.advanceTimersByTime(0);
    expect(drawn).toEqual(['a']);
    vi.advanceTimersByTime(39);
    expect(drawn).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(drawn).toEqual(['a', 'b']);
    vi.advanceTimersByTime(40);
    expect(drawn).toEqual(['a', 'b', 'c']);
    expect(q.waiting).toBe(0);
  });

  it('redraws a chart at most once per interval, with the newest value', () => {
    const q = new RedrawQueue(250, 40);
    const drawn: number[] = [];
    const chart = {};
    q.enqueue(chart, () => drawn.push(1));
    vi.advanceTimersByTime(0);
    expect(drawn).toEqual([1]);
    // Three new values 50 ms apart: only the last is drawn, 250 ms after the first redraw.
    for (const v of [2, 3, 4]) {
      q.enqueue(chart, () => drawn.push(v));
      vi.advanceTimersByTime(50);
    }
    expect(drawn).toEqual([1]);
    vi.advanceTimersByTime(99);
    expect(drawn).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(drawn).toEqual([1, 4]);
  });

  it('drops a cancelled redraw', () => {
    const q = new RedrawQueue(250, 40);
    const drawn: string[] = [];
    const chart = {};
    q.enqueue(chart, () => drawn.push('x'));
    q.cancel(chart);
    vi.advanceTimersByTime(1000);
    expect(drawn).toEqual([]);
  });
});
