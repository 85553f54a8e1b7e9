import { describe, expect, it } from 'vitest';
import { errorMessage } from './errors';

describe('errorMessage', () => {
  it("gives an Error's message, without its name or stack", () => {
    expect(errorMessage(new Error('the file is empty'))).toBe('the file is empty');
    expect(errorMessage(new TypeError('not a number'))).toBe('not a number');
    class ImportFailure extends Error {}
    expect(errorMessage(new ImportFailure('bad row'))).toBe('bad row');
  });

  it('gives anything else thrown as a string', () => {
    expect(errorMessage('quota exceeded')).toBe('quota exceeded');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
    expect(errorMessage(null)).toBe('null');
    expect(errorMessage({ toString: () => 'an object that says what went wrong' })).toBe('an object that says what went wrong');
  });
});
