/**
 * What a teacher's scores look like, gathered while they stream past: exact count, min, max, mean and standard
 * deviation of positive scores, negative scores and margins (Welford's update), plus a uniform reservoir sample
 * of pairs from which the histograms are drawn. Memory stays fixed whatever the file's length.
 */
import { Rng } from '../util/random';

export interface Moments {
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
}

export interface TeacherSummary {
  pos: Moments;
  neg: Moments;
  margin: Moments;
  /** A uniform sample of (pos, neg) pairs, for histograms. */
  samplePos: Float32Array;
  sampleNeg: Float32Array;
}

class Running {
  count = 0;
  min = Infinity;
  max = -Infinity;
  private mean = 0;
  private m2 = 0;

  add(x: number): void {
    this.count++;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    const d = x - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (x - this.mean);
  }

  /** Continues from earlier statistics (Welford's state is recoverable from count, mean and deviation). */
  static from(m: Moments): Running {
    const r = new Running();
    if (m.count === 0) return r;
    r.count = m.count;
    r.min = m.min;
    r.max = m.max;
    r.mean = m.mean;
    r.m2 = m.std * m.std * m.count;
    return r;
  }

  moments(): Moments {
    if (this.count === 0) return { count: 0, min: NaN, max: NaN, mean: NaN, std: NaN };
    return { count: this.count, min: this.min, max: this.max, mean: this.mean, std: Math.sqrt(this.m2 / this.count) };
  }
}

export const RESERVOIR_SIZE = 20_000;

export class TeacherStats {
  private pos = new Running();
  private neg = new Running();
  private margin = new Running();
  private samplePos = new Float32Array(RESERVOIR_SIZE);
  private sampleNeg = new Float32Array(RESERVOIR_SIZE);
  private rng: Rng;

  constructor(seed = 1) {
    this.rng = new Rng(seed);
  }

  /**
   * Continues from a stored summary, as when files are added to a dataset. The stored sample is a uniform sample of
   * the pairs so far, so Algorithm R carries on from it unchanged.
   */
  static from(summary: TeacherSummary, seed = 1): TeacherStats {
    const t = new TeacherStats(seed);
    t.pos = Running.from(summary.pos);
    t.neg = Running.from(summary.neg);
    t.margin = Running.from(summary.margin);
    t.samplePos.set(summary.samplePos.subarray(0, RESERVOIR_SIZE));
    t.sampleNeg.set(summary.sampleNeg.subarray(0, RESERVOIR_SIZE));
    return t;
  }

  get count(): number {
    return this.pos.count;
  }

  add(pos: number, neg: number): void {
    const n = this.pos.count;
    this.pos.add(pos);
    this.neg.add(neg);
    this.margin.add(pos - neg);
    // Algorithm R: the i-th pair replaces a random slot with probability size / i.
    const slot = n < RESERVOIR_SIZE ? n : Math.floor(this.rng.next() * (n + 1));
    if (slot < RESERVOIR_SIZE) {
      this.samplePos[slot] = pos;
      this.sampleNeg[slot] = neg;
    }
  }

  summary(): TeacherSummary {
    const kept = Math.min(this.pos.count, RESERVOIR_SIZE);
    return {
      pos: this.pos.moments(),
      neg: this.neg.moments(),
      margin: this.margin.moments(),
      samplePos: this.samplePos.slice(0, kept),
      sampleNeg: this.sampleNeg.slice(0, kept),
    };
  }
}
