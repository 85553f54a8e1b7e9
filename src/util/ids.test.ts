import { describe, expect, it } from 'vitest';
import { newId } from './ids';

describe('newId', () => {
  it('carries the prefix and the time in base 36, and a six-character random tail', () => {
    const id = newId('run', 1_700_000_000_000);
    expect(id).toMatch(/^run-[0-9a-z]+-[0-9a-z]{6}$/);
    expect(id.split('-')[1]).toBe((1_700_000_000_000).toString(36));
  });

  it('differs between ids made in the same millisecond', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newId('x', 5)));
    expect(ids.size).toBe(200);
  });

  it('sorts by creation time for times of the same length in base 36', () => {
    expect(newId('d', 1_700_000_000_000) < newId('d', 1_700_000_000_001)).toBe(true);
  });
});
