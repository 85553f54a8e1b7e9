/**
 * How a query–passage pair is cut to fit a cross-encoder's sequence, exactly as the Hugging Face tokenizers (the
 * Rust `tokenizers` library behind `transformers`' fast tokenizers, and so `CrossEncoder`) cut a pair under
 * `truncation=True` (strategy "longest_first"). A cat student trained and evaluated on pairs cut any other way
 * scores long passages differently once exported: with fixed budgets (query ≤ its length, passage ≤ its length)
 * a short query wasted the room a long passage then gets in the library.
 *
 * The rule, read off the library's output on 37,845 pairs (each side 1 to 29 tokens, budgets 0 to 44; a sample
 * of them is the test's fixture):
 * - the pair fits (query + passage ≤ budget): nothing is cut;
 * - the shorter side fits in half the budget: it is kept whole, the longer side gets the rest;
 * - otherwise both get half: ⌊budget/2⌋ to the shorter side, ⌈budget/2⌉ to the longer.
 * "Shorter" compares the two lengths each capped at the whole sequence's length (budget + specials, the
 * `max_length` asked for), and on a tie the query counts as the shorter, so the passage gets the odd token. The
 * cap is the library's: it shows only when both sides are longer than the whole sequence and the budget is odd.
 */

/** Tokens `[CLS] q [SEP] p [SEP]` adds to a pair. */
export const PAIR_SPECIALS = 3;

function wholeCount(value: number, what: string): void {
  if (!(Number.isInteger(value) && value >= 0)) throw new RangeError(`${what} must be a whole number of at least 0, got ${value}`);
}

/**
 * The query and passage tokens a pair keeps when at most `budget` tokens fit (special tokens not counted: the
 * sequence's length is budget + `specials`).
 */
export function longestFirst(queryLength: number, passageLength: number, budget: number, specials = PAIR_SPECIALS): [keptQuery: number, keptPassage: number] {
  wholeCount(queryLength, 'a query length');
  wholeCount(passageLength, 'a passage length');
  wholeCount(budget, 'a pair budget');
  wholeCount(specials, 'the special tokens of a pair');
  if (queryLength + passageLength <= budget) return [queryLength, passageLength];
  const cap = budget + specials;
  const queryShorter = Math.min(queryLength, cap) <= Math.min(passageLength, cap);
  const shorter = queryShorter ? queryLength : passageLength;
  const [keptShorter, keptLonger] = 2 * shorter <= budget ? [shorter, budget - shorter] : [Math.floor(budget / 2), budget - Math.floor(budget / 2)];
  return queryShorter ? [keptShorter, keptLonger] : [keptLonger, keptShorter];
}
