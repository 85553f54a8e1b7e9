import { describe, expect, it } from 'vitest';
import { drawNegatives } from './negatives';
import { planQuery } from './plan';

const choice = { fromRank: 1, toRank: 10, perPositive: 3, seed: 7 };
const ranked = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];

describe("a query's share of a teacher job", () => {
  it('scores each positive and each drawn negative once, and makes a triple of each positive with each of its negatives', () => {
    const positives = [12, 99];
    const plan = planQuery(5, positives, ranked, choice);
    const drawn = drawNegatives(5, ranked, positives, choice).negatives;
    expect(plan.pids.slice(0, 2)).toEqual(positives);
    expect(new Set(plan.pids).size).toBe(plan.pids.length);
    expect(new Set(plan.pids.slice(2))).toEqual(new Set(drawn.flat()));
    const asIds = plan.triples.map(([p, n]) => [plan.pids[p], plan.pids[n]]);
    expect(asIds).toEqual(positives.flatMap((p, i) => drawn[i]!.map((n) => [p, n])));
    expect(plan.short).toBe(0);
    // A positive never comes back as a negative (12 is ranked 2nd).
    expect(asIds.every(([, n]) => n !== 12 && n !== 99)).toBe(true);
  });

  it('counts what the window could not give, and takes a repeated positive once', () => {
    const plan = planQuery(5, [11, 11], ranked.slice(0, 3), { ...choice, toRank: 3 });
    expect(plan.pids[0]).toBe(11);
    expect(plan.triples).toHaveLength(2);
    expect(plan.short).toBe(1);
  });
});
