/**
 * Numbers parsed straight from UTF-8 bytes. Teacher files are tens of millions of lines of digits; building a
 * string per field only to hand it to `parseFloat` would cost more than everything else the import does.
 *
 * Both parsers return NaN for anything that is not entirely a number, so the caller decides what the error is.
 */
const ZERO = 48;
const NINE = 57;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;

// Exact powers of ten: a decimal with at most 15 significant digits and |exponent| <= 22 converts with one
// correctly-rounded multiply or divide (the classic fast path of decimal-to-binary conversion).
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const STRICT_DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function ascii(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i] as number);
  return s;
}

/** A non-negative or negative whole number in decimal; NaN when the field holds anything else or is empty. */
export function parseIntField(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let sign = 1;
  if (i < end && buf[i] === MINUS) {
    sign = -1;
    i++;
  } else if (i < end && buf[i] === PLUS) i++;
  if (i >= end || end - i > 15) return NaN;
  let v = 0;
  for (; i < end; i++) {
    const c = buf[i] as number;
    if (c < ZERO || c > NINE) return NaN;
    v = v * 10 + (c - ZERO);
  }
  return sign * v;
}

/**
 * A decimal float such as `96.6875`, `-1.5e-3` or `12`. `nan`, `inf` and overflow come back as NaN or ±Infinity
 * so the caller can name them; anything else that is not a number gives NaN as well, and `isNumericText` tells the
 * two apart.
 */
export function parseFloatField(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && (buf[i] === MINUS || buf[i] === PLUS)) {
    negative = buf[i] === MINUS;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let sawDigit = false;
  for (; i < end; i++) {
    const c = buf[i] as number;
    if (c < ZERO || c > NINE) break;
    sawDigit = true;
    if (digits > 0 || c !== ZERO) digits++;
    mantissa = mantissa * 10 + (c - ZERO);
  }
  if (i < end && buf[i] === DOT) {
    for (i++; i < end; i++) {
      const c = buf[i] as number;
      if (c < ZERO || c > NINE) break;
      sawDigit = true;
      if (digits > 0 || c !== ZERO) digits++;
      mantissa = mantissa * 10 + (c - ZERO);
      scale++;
    }
  }
  if (i === end && sawDigit && digits <= 15 && scale <= 22) {
    const v = scale === 0 ? mantissa : mantissa / (POW10[scale] as number);
    return negative ? -v : v;
  }
  // Exponents, long mantissas, inf/nan: rare in practice, so the exact but slower path is fine.
  const text = ascii(buf, start, end);
  if (STRICT_DECIMAL.test(text)) return Number(text);
  const lower = text.toLowerCase().replace(/^[+-]/, '');
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === 'infinity') return text.startsWith('-') ? -Infinity : Infinity;
  return NaN;
}

/** Whether a field that parsed to NaN literally says NaN (a bad score) rather than being no number at all. */
export function saysNaN(buf: Uint8Array, start: number, end: number): boolean {
  return /^[+-]?nan$/i.test(ascii(buf, start, Math.min(end, start + 8)));
}
