/**
 * One line reader per layout. A reader gets each line as a byte range, checks every field before it stores
 * anything (a rejected line leaves no trace but its count), and hands good rows to the dataset builder.
 *
 * Rejection reasons are a fixed vocabulary so that counts group; the detail names the value at fault.
 */
import type { DatasetBuilder, TextTable } from '../builder';
import type { Layout } from './layouts';
import { parseFloatField, parseIntField, saysNaN } from './numbers';
import type { FileReport } from './report';
import { errorMessage } from '../../util/errors';

export type LineReader = (buf: Uint8Array, start: number, end: number, line: number) => void;

export const REASONS = {
  columns: 'wrong number of columns',
  nonNumeric: 'non-numeric value',
  badScore: 'NaN or infinite score',
  idRange: 'id out of range',
  emptyText: 'empty text',
  utf8: 'invalid UTF-8',
  duplicate: 'duplicate id',
  json: 'invalid JSON',
  shape: 'missing or malformed field',
} as const;

const TAB = 9;
const SPACE = 32;
const MAX_ID = 2147483647;
const MAX_FIELDS = 8;

/** Field boundaries of the current line: starts[i]..ends[i]. Reused for every line. */
const starts = new Int32Array(MAX_FIELDS);
const ends = new Int32Array(MAX_FIELDS);

/**
 * Splits on tabs; returns the number of fields (MAX_FIELDS + 1 means "more than MAX_FIELDS"). A plain byte loop:
 * calling `indexOf` per field costs more than scanning the few bytes of a number.
 */
function splitTabs(buf: Uint8Array, start: number, end: number): number {
  let n = 0;
  let from = start;
  for (let i = start; i < end; i++) {
    if (buf[i] !== TAB) continue;
    if (n === MAX_FIELDS - 1) return MAX_FIELDS + 1;
    starts[n] = from;
    ends[n] = i;
    n++;
    from = i + 1;
  }
  starts[n] = from;
  ends[n] = end;
  return n + 1;
}

/** Splits on runs of spaces and tabs, ignoring leading and trailing ones (TREC files use either). */
function splitWhitespace(buf: Uint8Array, start: number, end: number): number {
  let n = 0;
  let i = start;
  while (i < end) {
    while (i < end && (buf[i] === SPACE || buf[i] === TAB)) i++;
    if (i >= end) break;
    const s = i;
    while (i < end && buf[i] !== SPACE && buf[i] !== TAB) i++;
    if (n === MAX_FIELDS) return MAX_FIELDS + 1;
    starts[n] = s;
    ends[n] = i;
    n++;
  }
  return n;
}

function fieldText(buf: Uint8Array, i: number): string {
  let s = '';
  const e = Math.min(ends[i] as number, (starts[i] as number) + 40);
  for (let k = starts[i] as number; k < e; k++) s += String.fromCharCode(buf[k] as number);
  return JSON.stringify(s);
}

interface Ctx {
  builder: DatasetBuilder;
  report: FileReport;
  /** For run files: the run's index among the dataset's runs. */
  runIndex: number;
}

/** A score, or NaN after the line was rejected. Returns plain numbers: this runs for every field of every line. */
function score(ctx: Ctx, buf: Uint8Array, i: number, line: number, what: string): number {
  const v = parseFloatField(buf, starts[i] as number, ends[i] as number);
  if (Number.isFinite(v)) return v;
  if (Number.isNaN(v) && !saysNaN(buf, starts[i] as number, ends[i] as number)) {
    ctx.report.reject(line, REASONS.nonNumeric, `${what} ${fieldText(buf, i)} is not a number`);
  } else {
    ctx.report.reject(line, REASONS.badScore, `${what} is ${Number.isNaN(v) ? 'NaN' : 'infinite'}`);
  }
  return NaN;
}

/** An id in 0..2^31-1, or -1 after the line was rejected. */
function id(ctx: Ctx, buf: Uint8Array, i: number, line: number, what: string): number {
  const v = parseIntField(buf, starts[i] as number, ends[i] as number);
  if (Number.isNaN(v)) {
    ctx.report.reject(line, REASONS.nonNumeric, `${what} ${fieldText(buf, i)} is not a whole number`);
    return -1;
  }
  if (v < 0 || v > MAX_ID) {
    ctx.report.reject(line, REASONS.idRange, `${what} ${v} is outside 0 to ${MAX_ID}`);
    return -1;
  }
  return v;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(ctx: Ctx, buf: Uint8Array, s: number, e: number, line: number, what: string): string | null {
  let t: string;
  try {
    t = utf8.decode(buf.subarray(s, e));
  } catch {
    ctx.report.reject(line, REASONS.utf8, `${what} is not valid UTF-8`);
    return null;
  }
  if (t.trim() === '') {
    ctx.report.reject(line, REASONS.emptyText, `${what} is empty`);
    return null;
  }
  return t;
}

const ASCII_TEXT = 0;
const ASCII_BLANK = 1;
const NOT_ASCII = 2;

/**
 * Whether bytes are ASCII, and then whether they are blank as `String.prototype.trim` sees it (tab, line breaks,
 * vertical tab, form feed and space are its only ASCII white space).
 */
function asciiKind(buf: Uint8Array, s: number, e: number): typeof ASCII_TEXT | typeof ASCII_BLANK | typeof NOT_ASCII {
  let blank = true;
  for (let i = s; i < e; i++) {
    const c = buf[i] as number;
    if (c >= 128) return NOT_ASCII;
    if (blank && c !== 32 && (c < 9 || c > 13)) blank = false;
  }
  return blank ? ASCII_BLANK : ASCII_TEXT;
}

/** Counts a stored row, and what it names that the dataset lacks. */
function stored(ctx: Ctx, line: number, missing: string | null): void {
  ctx.report.data.rows++;
  if (missing) ctx.report.missing(line, missing);
}

function columns(ctx: Ctx, n: number, want: number, sep: string, line: number): boolean {
  if (n === want) return true;
  ctx.report.reject(line, REASONS.columns, `expected ${want} ${sep} columns, found ${n > MAX_FIELDS ? `more than ${MAX_FIELDS}` : n}`);
  return false;
}

function teacherIds(ctx: Ctx): LineReader {
  return (buf, s, e, line) => {
    if (!columns(ctx, splitTabs(buf, s, e), 5, 'tab-separated', line)) return;
    const pos = score(ctx, buf, 0, line, 'positive score');
    if (Number.isNaN(pos)) return;
    const neg = score(ctx, buf, 1, line, 'negative score');
    if (Number.isNaN(neg)) return;
    const q = id(ctx, buf, 2, line, 'query id');
    if (q < 0) return;
    const p = id(ctx, buf, 3, line, 'positive passage id');
    if (p < 0) return;
    const n = id(ctx, buf, 4, line, 'negative passage id');
    if (n < 0) return;
    stored(ctx, line, ctx.builder.addTriple(q, p, n, pos, neg));
  };
}

function teacherText(ctx: Ctx): LineReader {
  return (buf, s, e, line) => {
    if (!columns(ctx, splitTabs(buf, s, e), 5, 'tab-separated', line)) return;
    const pos = score(ctx, buf, 0, line, 'positive score');
    if (Number.isNaN(pos)) return;
    const neg = score(ctx, buf, 1, line, 'negative score');
    if (Number.isNaN(neg)) return;
    // Field bounds are shared scratch space: copy them before decoding.
    const [qs, qe, ps, pe, ns, ne] = [starts[2], ends[2], starts[3], ends[3], starts[4], ends[4]] as number[];
    const q = text(ctx, buf, qs as number, qe as number, line, 'query');
    if (q === null) return;
    const p = text(ctx, buf, ps as number, pe as number, line, 'positive passage');
    if (p === null) return;
    const n = text(ctx, buf, ns as number, ne as number, line, 'negative passage');
    if (n === null) return;
    const b = ctx.builder;
    const qid = b.internText('queries', q, buf.subarray(qs, qe));
    const pid = b.internText('passages', p, buf.subarray(ps, pe));
    const nid = b.internText('passages', n, buf.subarray(ns, ne));
    b.addTriple(qid, pid, nid, pos, neg);
    ctx.report.data.rows++;
  };
}

function idText(ctx: Ctx, table: TextTable): LineReader {
  const what = table === 'passages' ? 'passage' : 'query';
  return (buf, s, e, line) => {
    // A plain loop bounded by the line: `indexOf` would run on to the end of the chunk when this line has no tab.
    let tab = s;
    while (tab < e && buf[tab] !== TAB) tab++;
    if (tab === e) {
      ctx.report.reject(line, REASONS.columns, `expected ${what} id<TAB>text, found no tab`);
      return;
    }
    starts[0] = s;
    ends[0] = tab;
    const key = id(ctx, buf, 0, line, `${what} id`);
    if (key < 0) return;
    const kind = asciiKind(buf, tab + 1, e);
    let added: boolean;
    if (kind === ASCII_BLANK) {
      ctx.report.reject(line, REASONS.emptyText, `${what} text is empty`);
      return;
    } else if (kind === ASCII_TEXT) {
      // Most collections are ASCII: valid UTF-8 as they stand, tokenized from the bytes without a string.
      added = ctx.builder.addTextBytes(table, key, buf, tab + 1, e);
    } else {
      const t = text(ctx, buf, tab + 1, e, line, `${what} text`);
      if (t === null) return;
      added = ctx.builder.addText(table, key, t, buf.subarray(tab + 1, e));
    }
    if (!added) {
      ctx.report.reject(line, REASONS.duplicate, `${what} id ${key} appears earlier`);
      return;
    }
    ctx.report.data.rows++;
  };
}

function qrels(ctx: Ctx): LineReader {
  return (buf, s, e, line) => {
    if (!columns(ctx, splitWhitespace(buf, s, e), 4, 'whitespace-separated', line)) return;
    const q = id(ctx, buf, 0, line, 'query id');
    if (q < 0) return;
    const p = id(ctx, buf, 2, line, 'passage id');
    if (p < 0) return;
    const grade = parseIntField(buf, starts[3] as number, ends[3] as number);
    if (Number.isNaN(grade)) {
      ctx.report.reject(line, REASONS.nonNumeric, `relevance grade ${fieldText(buf, 3)} is not a whole number`);
      return;
    }
    stored(ctx, line, ctx.builder.addQrel(q, p, grade));
  };
}

function run(ctx: Ctx): LineReader {
  return (buf, s, e, line) => {
    if (!columns(ctx, splitWhitespace(buf, s, e), 6, 'whitespace-separated', line)) return;
    const q = id(ctx, buf, 0, line, 'query id');
    if (q < 0) return;
    const p = id(ctx, buf, 2, line, 'passage id');
    if (p < 0) return;
    const rank = id(ctx, buf, 3, line, 'rank');
    if (rank < 0) return;
    const sc = score(ctx, buf, 4, line, 'score');
    if (Number.isNaN(sc)) return;
    stored(ctx, line, ctx.builder.addCandidate(q, p, rank, sc, ctx.runIndex));
  };
}

function stringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}
function scoreList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

function teacherJsonl(ctx: Ctx): LineReader {
  return (buf, s, e, line) => {
    let raw: string;
    try {
      raw = utf8.decode(buf.subarray(s, e));
    } catch {
      ctx.report.reject(line, REASONS.utf8, 'the line is not valid UTF-8');
      return;
    }
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(raw) as Record<string, unknown>;
    } catch (err) {
      ctx.report.reject(line, REASONS.json, `not a JSON object (${errorMessage(err)})`);
      return;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      ctx.report.reject(line, REASONS.json, 'the line is JSON but not an object');
      return;
    }
    const { query, pos, neg, pos_scores: posScores, neg_scores: negScores } = obj;
    if (typeof query !== 'string' || !stringList(pos) || !stringList(neg)) {
      ctx.report.reject(line, REASONS.shape, 'needs "query" (a string) and "pos", "neg" (lists of strings)');
      return;
    }
    if (!scoreList(posScores) || !scoreList(negScores)) {
      ctx.report.reject(line, REASONS.shape, 'needs teacher scores: "pos_scores" and "neg_scores" (lists of numbers)');
      return;
    }
    if (posScores.length !== pos.length || negScores.length !== neg.length) {
      ctx.report.reject(line, REASONS.shape, `${pos.length} positives with ${posScores.length} scores, ${neg.length} negatives with ${negScores.length} scores`);
      return;
    }
    if ([...posScores, ...negScores].some((x) => !Number.isFinite(x))) {
      ctx.report.reject(line, REASONS.badScore, 'a score is NaN or infinite');
      return;
    }
    if (query.trim() === '' || pos.some((t) => t.trim() === '') || neg.some((t) => t.trim() === '')) {
      ctx.report.reject(line, REASONS.emptyText, 'the query or a passage is empty');
      return;
    }
    const b = ctx.builder;
    const qid = b.internText('queries', query);
    const posIds = pos.map((t) => b.internText('passages', t));
    const negIds = neg.map((t) => b.internText('passages', t));
    posIds.forEach((p, i) => {
      negIds.forEach((n, j) => {
        b.addTriple(qid, p, n, posScores[i] as number, negScores[j] as number);
        ctx.report.data.rows++;
      });
    });
  };
}

export function createReader(layout: Layout, builder: DatasetBuilder, report: FileReport, runIndex = 0): LineReader {
  const ctx: Ctx = { builder, report, runIndex };
  switch (layout) {
    case 'teacher-ids':
      return teacherIds(ctx);
    case 'teacher-text':
      return teacherText(ctx);
    case 'teacher-jsonl':
      return teacherJsonl(ctx);
    case 'collection':
      return idText(ctx, 'passages');
    case 'queries':
      return idText(ctx, 'queries');
    case 'qrels':
      return qrels(ctx);
    case 'run':
      return run(ctx);
    default: {
      const unreachable: never = layout;
      throw new Error(`no reader for layout ${String(unreachable)}`);
    }
  }
}
