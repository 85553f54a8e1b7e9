/** The import work itself: no DOM, no React. The worker, the tests and the benchmarks call these functions. */
import { generateDemo, type DemoOptions } from './demo/generator';
import { DatasetBuilder } from './builder';
import { DatasetWriter, forEachChunk, type PendingChunk } from './store/dataset-db';
import { deleteDataset, getDataset, listDatasets } from './store/catalog';
import type { DatasetInfo } from './store/schema';
import { detectLayout, LAYOUTS, type Layout } from './formats/layouts';
import { LineSplitter, LineTooLong } from './formats/lines';
import { createReader } from './formats/readers';
import { describeProblem, FileReport, type FileReportData } from './formats/report';
import { FileFormatError, isGzip, sniffLines, streamLines } from './formats/stream';
import { DEFAULT_TOKENIZER, loadTokenizer, tokenizerForVocab, tokenizerIdOf, type TextTokenizer, type TokenizerChoice } from '../text/tokenizers';
import { parseVocabText } from '../text/wordpiece';
import { newId } from '../util/ids';
import { errorMessage } from '../util/errors';
/** Demo rows between checks for a cancel (and waits for storage). */
const DEMO_CHECK_ROWS = 4096;
/** A file with a larger share of rejected lines is refused whole. */
export const DEFAULT_REJECT_THRESHOLD = 0.01;
/** Transactions allowed in flight before parsing waits for storage. */
const MAX_WRITES_IN_FLIGHT = 4;
const PROGRESS_EVERY_MS = 150;

export interface ImportProgress {
  phase: 'generating' | 'storing' | 'reading' | 'tokenizing';
  /** What is being worked on, e.g. the file name. */
  label: string;
  done: number;
  total: number;
  unit: 'rows' | 'MB';
  /** `unit`s per second over the import so far. */
  rate: number;
  /** Lines (or rows) handled so far, and per second. */
  rows: number;
  rowsPerSecond: number;
}

export class ImportCancelled extends Error {
  override name = 'ImportCancelled';
}

/** A problem with the user's files, worded for the user: file, line, reason. */
export class ImportError extends Error {
  override name = 'ImportError';
}

const encoder = new TextEncoder();
const textDecoder = new TextDecoder();

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** The name of the demo's candidate lists, as if they were a run file. */
export const DEMO_RUN = 'demo lexical candidates';

/** Builds the demo dataset and stores it through the same builder and writer that file imports use. */
export async function importDemo(
  options: Partial<DemoOptions>,
  onProgress: (p: ImportProgress) => void,
  signal: { cancelled: boolean },
  { tokenizer = DEFAULT_TOKENIZER, lock }: { tokenizer?: TokenizerChoice; lock?: string } = {},
): Promise<DatasetInfo> {
  const textTokenizer = await loadTokenizer(tokenizerIdOf(tokenizer));
  const started = now();
  const report = (phase: ImportProgress['phase'], done: number, total: number) => {
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    onProgress({ phase, label: phase === 'generating' ? 'Generating the demo corpus' : 'Storing in IndexedDB', done, total, unit: 'rows', rate, rows: done, rowsPerSecond: rate });
  };
  report('generating', 0, 1);
  const demo = generateDemo(options);
  if (signal.cancelled) throw new ImportCancelled('import cancelled');
  const total = demo.passages.length + demo.queries.length + demo.triples.length + demo.qrels.length + demo.candidates.length;
  const seed = options.seed ?? 'default';
  const writer = await DatasetWriter.create({
    id: newId(`demo-${seed}`),
    name: `Demo corpus (seed ${seed})`,
    source: 'demo',
    tokenizer: textTokenizer.id,
    lock,
  });
  const builder = new DatasetBuilder(textTokenizer, (chunk) => writer.enqueue(chunk), { indexTexts: false });
  try {
    let done = 0;
    /** Rows between checks for a cancel and waits for storage. */
    const step = async (rows: number) => {
      done += rows;
      if (done % DEMO_CHECK_ROWS !== 0) return;
      if (signal.cancelled) throw new ImportCancelled('import cancelled');
      report('storing', done, total);
      await writer.settle(MAX_WRITES_IN_FLIGHT);
    };
    report('storing', 0, total);
    for (const p of demo.passages) {
      builder.addText('passages', p.id, p.text, encoder.encode(p.text));
      await step(1);
    }
    for (const q of demo.queries) {
      builder.addText('queries', q.id, q.text, encoder.encode(q.text));
      await step(1);
    }
    // The generator only names its own ids, so nothing here can dangle.
    for (const t of demo.triples) {
      builder.addTriple(t.qid, t.pos, t.neg, t.posScore, t.negScore);
      await step(1);
    }
    for (const r of demo.qrels) {
      builder.addQrel(r.qid, r.pid, r.grade);
      await step(1);
    }
    for (const c of demo.candidates) {
      builder.addCandidate(c.qid, c.pid, c.rank, c.score, 0);
      await step(1);
    }
    builder.flush();
    if (signal.cancelled) throw new ImportCancelled('import cancelled');
    report('storing', total, total);
    const info = await writer.finish({ teacher: builder.teacher.summary(), runs: [DEMO_RUN] });
    // Loading the demo again replaces the earlier copy rather than piling up identical datasets.
    for (const old of await listDatasets()) {
      if (old.source === 'demo' && old.name === info.name && old.id !== info.id) await deleteDataset(old.id);
    }
    return info;
  } catch (err) {
    // The original error is the one to report; a failing clean-up is left for the next page load to finish.
    await writer.abort().catch(() => undefined);
    throw err;
  }
}

/**
 * A copy of a dataset whose texts are tokenized again with another WordPiece vocabulary (a pretrained model's), its
 * other tables carried over as they are. The copy is a dataset of its own, marked ready only when complete; the
 * source stays as it was.
 */
export async function retokenizeDataset(
  sourceId: string,
  vocab: readonly string[],
  options: { id: string; name: string; lock?: string },
  onProgress: (p: ImportProgress) => void,
  signal: { cancelled: boolean },
): Promise<DatasetInfo> {
  const source = await getDataset(sourceId);
  if (!source || source.status !== 'ready') throw new ImportError(`dataset ${sourceId} does not exist or is still being imported`);
  const tokenizer = tokenizerForVocab(vocab);
  if (source.tokenizer === tokenizer.id) throw new ImportError(`dataset "${source.name}" is already tokenized with this vocabulary`);
  const total = source.counts.passages + source.counts.queries;
  if (total === 0) throw new ImportError(`dataset "${source.name}" has no texts to tokenize`);
  const writer = await DatasetWriter.create({ id: options.id, name: options.name, source: source.source, tokenizer: tokenizer.id, vocab: [...vocab], lock: options.lock });
  const builder = new DatasetBuilder(tokenizer, (chunk) => writer.enqueue(chunk), { indexTexts: false });
  const started = now();
  let done = 0;
  let lastProgress = 0;
  const progress = (force = false) => {
    const t = now();
    if (!force && t - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = t;
    const rate = done / Math.max(1e-3, (t - started) / 1000);
    onProgress({ phase: 'tokenizing', label: `Tokenizing "${source.name}" with the model's vocabulary`, done, total, unit: 'rows', rate, rows: done, rowsPerSecond: rate });
  };
  try {
    progress(true);
    for (const table of ['passages', 'queries'] as const) {
      await forEachChunk(sourceId, table, async (cols) => {
        if (signal.cancelled) throw new ImportCancelled('tokenizing cancelled');
        for (let r = 0; r < cols.id.length; r++) {
          const bytes = cols.text.subarray(cols.textOffsets[r] as number, cols.textOffsets[r + 1] as number);
          builder.addText(table, cols.id[r] as number, textDecoder.decode(bytes), bytes);
        }
        done += cols.id.length;
        progress();
        await writer.settle(MAX_WRITES_IN_FLIGHT);
      });
    }
    builder.flush();
    // Scores, judgements and candidates name ids, not tokens: their chunks are copied as stored.
    for (const table of ['triples', 'qrels', 'candidates'] as const) {
      await forEachChunk(sourceId, table, async (columns) => {
        if (signal.cancelled) throw new ImportCancelled('tokenizing cancelled');
        writer.enqueue({ table, rows: columns.qid.length, columns } as PendingChunk);
        await writer.settle(MAX_WRITES_IN_FLIGHT);
      });
    }
    progress(true);
    return await writer.finish({
      ...(source.files ? { files: source.files } : {}),
      ...(source.teacher ? { teacher: source.teacher } : {}),
      ...(source.runs ? { runs: source.runs } : {}),
      ...(source.provenance ? { provenance: source.provenance } : {}),
    });
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  }
}

function refusal(name: string, report: FileReport, threshold: number, what: string): ImportError {
  const d = report.data;
  const reasons = Object.entries(d.rejectedByReason).map(([r, n]) => `${r}: ${n}`).join(', ');
  return new ImportError(
    `${name}: ${what}, more than the ${percent(threshold)} allowed, so nothing was imported. ` +
      `First: ${describeProblem(name, d.examples[0] as { line: number; reason: string })}. By reason: ${reasons}`,
  );
}

/** Lines read before a file may be refused early; fewer than this say too little about the rest. */
const EARLY_REFUSAL_LINES = 10_000;

/**
 * Refuses a file before its end when it cannot pass: more lines are already bad than the threshold allows for
 * the file's whole length (estimated from the bytes read so far, with half again as margin). A file forced into
 * the wrong layout is refused in seconds instead of being read to the end.
 */
function refuseEarly(f: { name: string; file: Blob }, report: FileReport, bytesRead: number, threshold: number): void {
  const d = report.data;
  if (d.lines < EARLY_REFUSAL_LINES || bytesRead === 0) return;
  const expectedLines = (d.lines * f.file.size) / bytesRead;
  if (d.rejected > threshold * expectedLines * 1.5) {
    throw refusal(f.name, report, threshold, `${d.rejected} of the first ${d.lines} lines were rejected (${percent(report.rejectedShare)}), and the rest of the file cannot bring that under the limit`);
  }
}

export interface FileSpec {
  file: Blob & { readonly name: string };
  /** Overrides detection. */
  layout?: Layout;
}

export interface ImportFilesOptions {
  /** The new dataset's id; the caller picks it so that it can hold a lock named after it. */
  id: string;
  name?: string;
  threshold?: number;
  /** How texts become token ids; a WordPiece `vocab.txt` among the files overrides it. Additions use the dataset's own. */
  tokenizer?: TokenizerChoice;
  /** A Web Lock the importer holds while it lives: a dataset whose lock nobody holds was abandoned. */
  lock?: string;
  /** Adds the files to the existing dataset `id` instead of creating a new one. */
  append?: boolean;
  /** Bytes per read from the file (tests use small reads to cut lines and characters at every boundary). */
  readBytes?: number;
}

interface PlannedFile {
  file: FileSpec['file'];
  name: string;
  gzip: boolean;
  /** `vocab`: a WordPiece vocabulary (`vocab.txt`), which decides how the other files' texts are tokenized. */
  layout: Layout | 'vocab';
}

/** The vocabulary first, then texts, so that the files referring to them by id can be checked against them. */
const ORDER: Record<PlannedFile['layout'], number> = { vocab: -1, collection: 0, queries: 1, 'teacher-ids': 2, 'teacher-text': 3, 'teacher-jsonl': 4, qrels: 5, run: 6 };

/** A BERT-style `vocab.txt`: `[PAD]` on the first line and one token, without tabs or spaces, on every line. */
function looksLikeVocab(lines: readonly string[]): boolean {
  return lines[0] === '[PAD]' && lines.slice(0, 50).every((l) => l !== '' && !/[\t ]/.test(l));
}

/** Vocabularies are small; more than this is not one. */
const MAX_VOCAB_BYTES = 64 << 20;

async function readVocab(f: PlannedFile): Promise<string[]> {
  if (f.file.size > MAX_VOCAB_BYTES) throw new ImportError(`${f.name}: ${(f.file.size / 1e6).toFixed(0)} MB is too large for a vocabulary`);
  let text: string;
  try {
    const raw = f.file.stream() as ReadableStream<Uint8Array>;
    const stream = f.gzip ? raw.pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>) : raw;
    text = new TextDecoder('utf-8', { fatal: true }).decode(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new ImportError(`${f.name}: cannot be read as UTF-8 text (${errorMessage(err)})`);
  }
  try {
    return parseVocabText(text, f.name);
  } catch (err) {
    throw new ImportError(errorMessage(err));
  }
}

/** Recognises every file before anything is written, so a file of unknown kind costs nothing. */
export async function planImport(files: readonly FileSpec[]): Promise<PlannedFile[]> {
  if (files.length === 0) throw new ImportError('no files were chosen');
  const plan: PlannedFile[] = [];
  for (const { file, layout } of files) {
    if (file.size === 0) throw new ImportError(`${file.name}: the file is empty`);
    const gzip = await isGzip(file);
    if (layout) {
      if (!LAYOUTS.includes(layout)) throw new ImportError(`${file.name}: unknown layout "${String(layout)}"`);
      plan.push({ file, name: file.name, gzip, layout });
      continue;
    }
    let lines: string[];
    try {
      lines = await sniffLines(file, gzip);
    } catch (err) {
      throw new ImportError(`${file.name}: ${errorMessage(err)}`);
    }
    if (looksLikeVocab(lines)) {
      plan.push({ file, name: file.name, gzip, layout: 'vocab' });
      continue;
    }
    const found = detectLayout(lines, file.name);
    if (!found.layout) throw new ImportError(`${file.name}: cannot tell what kind of file this is: ${found.reason}. Choose its layout under "Read files as" and select it again`);
    plan.push({ file, name: file.name, gzip, layout: found.layout });
  }
  return plan.sort((a, b) => ORDER[a.layout] - ORDER[b.layout]);
}

/** Roughly what files become once stored: text is kept beside its token ids, and gzip inflates about fourfold. */
export function storedBytesEstimate(files: readonly { name: string; size: number }[]): number {
  return files.reduce((n, f) => n + f.size * (/\.gz$/i.test(f.name) ? 4 : 1) * 1.3, 0);
}

/** A warning when the browser's remaining quota looks too small for these files, else null. */
export function storageWarning(files: readonly { name: string; size: number }[], estimate: { quota?: number; usage?: number }): string | null {
  if (estimate.quota === undefined || estimate.usage === undefined) return null;
  const need = storedBytesEstimate(files);
  const free = estimate.quota - estimate.usage;
  if (need <= free) return null;
  const gb = (b: number) => (b / 1e9).toFixed(2);
  return `These files need about ${gb(need)} GB once stored, but the browser offers this page only ${gb(free)} GB more. The import may stop with "storage full"; deleting datasets under Storage frees space.`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 2 : 1)}%`;
}

function defaultName(plan: readonly PlannedFile[]): string {
  const first = (plan[0] as PlannedFile).name.replace(/\.gz$/i, '').replace(/\.(tsv|txt|jsonl|json|csv)$/i, '');
  return plan.length === 1 ? first : `${first} + ${plan.length - 1} more`;
}

/**
 * Imports files chosen together into one new dataset. It is marked ready only when every file was read to the
 * end and accepted; on any error, rejection or cancel, everything written is removed.
 */
export async function importFiles(
  files: readonly FileSpec[],
  options: ImportFilesOptions,
  onProgress: (p: ImportProgress) => void,
  signal: { cancelled: boolean },
): Promise<DatasetInfo> {
  const planned = await planImport(files);
  const vocabFiles = planned.filter((f) => f.layout === 'vocab');
  const plan = planned.filter((f): f is PlannedFile & { layout: Layout } => f.layout !== 'vocab');
  if (vocabFiles.length > 1) throw new ImportError(`${vocabFiles.map((f) => f.name).join(', ')}: choose one vocabulary per dataset`);
  if (plan.length === 0) throw new ImportError(`${(vocabFiles[0] as PlannedFile).name} is a vocabulary; choose it together with the texts it should tokenize`);
  const vocabFile = vocabFiles[0];
  if (vocabFile && options.append) throw new ImportError(`${vocabFile.name}: files added to a dataset are tokenized as its texts were; a new vocabulary needs a new dataset`);
  const vocab = vocabFile ? await readVocab(vocabFile) : undefined;
  const threshold = options.threshold ?? DEFAULT_REJECT_THRESHOLD;
  const totalBytes = plan.reduce((n, f) => n + f.file.size, 0);
  let tokenizer: TextTokenizer;
  let writer: DatasetWriter;
  if (options.append) {
    writer = await DatasetWriter.reopen(options.id, options.lock);
    try {
      tokenizer = await loadTokenizer(writer.tokenizer, writer.vocab);
    } catch (err) {
      await writer.abort();
      throw err;
    }
  } else {
    tokenizer = vocab ? tokenizerForVocab(vocab) : await loadTokenizer(tokenizerIdOf(options.tokenizer ?? DEFAULT_TOKENIZER));
    writer = await DatasetWriter.create({ id: options.id, name: options.name ?? defaultName(plan), source: 'files', tokenizer: tokenizer.id, lock: options.lock, ...(vocab ? { vocab } : {}) });
  }
  const indexTexts = plan.some((f) => f.layout === 'teacher-text' || f.layout === 'teacher-jsonl');
  const builder = new DatasetBuilder(tokenizer, (chunk) => writer.enqueue(chunk), { teacher: writer.previous?.teacher, indexTexts });
  const reports: FileReportData[] = [];
  const runs = [...(writer.previous?.runs ?? [])];
  const started = now();
  let bytesDone = 0;
  let lines = 0;
  let lastProgress = -Infinity;
  let current = plan[0] as (typeof plan)[number];

  const progress = (force = false) => {
    const t = now();
    if (!force && t - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = t;
    const seconds = Math.max(1e-3, (t - started) / 1000);
    const label = `${current.name} (${plan.indexOf(current) + 1} of ${plan.length})`;
    onProgress({ phase: 'reading', label, done: bytesDone / 1e6, total: totalBytes / 1e6, unit: 'MB', rate: bytesDone / 1e6 / seconds, rows: lines, rowsPerSecond: lines / seconds });
  };

  try {
    if (options.append) {
      // Files added are checked against, and share ids with, the texts already there.
      onProgress({ phase: 'reading', label: 'Indexing the texts already in the dataset', done: 0, total: totalBytes / 1e6, unit: 'MB', rate: 0, rows: 0, rowsPerSecond: 0 });
      await forEachChunk(options.id, 'passages', (cols) => builder.seedTexts('passages', cols));
      await forEachChunk(options.id, 'queries', (cols) => builder.seedTexts('queries', cols));
    }
    for (const f of plan) {
      current = f;
      const report = new FileReport(f.name, f.layout, f.gzip, f.file.size);
      if (f.layout === 'run') runs.push(f.name);
      const read = createReader(f.layout, builder, report, runs.length - 1);
      const splitter = new LineSplitter((buf, s, e) => {
        if (e === s) return;
        report.data.lines++;
        lines++;
        read(buf, s, e, splitter.lines);
      });
      progress(true);
      const fileStarted = now();
      try {
        let fileBytesDone = 0;
        await streamLines(f.file, f.gzip, splitter, {
          onRawBytes: (n) => {
            bytesDone += n;
            fileBytesDone += n;
          },
          afterChunk: async () => {
            if (signal.cancelled) throw new ImportCancelled('import cancelled');
            refuseEarly(f, report, fileBytesDone, threshold);
            progress();
            await writer.settle(MAX_WRITES_IN_FLIGHT);
          },
          readBytes: options.readBytes,
        });
      } catch (err) {
        if (err instanceof FileFormatError || err instanceof LineTooLong) throw new ImportError(`${f.name}: ${err.message}`);
        throw err;
      }
      const d = report.data;
      d.seconds = (now() - fileStarted) / 1000;
      if (d.rows === 0) {
        const why = d.examples[0] ? `; first problem: ${describeProblem(f.name, d.examples[0])}` : '';
        throw new ImportError(`${f.name}: no usable lines in ${d.lines} read${why}`);
      }
      if (report.rejectedShare > threshold) throw refusal(f.name, report, threshold, `${d.rejected} of ${d.lines} lines (${percent(report.rejectedShare)}) were rejected`);
      reports.push(d);
    }
    builder.flush();
    progress(true);
    return await writer.finish({ files: reports, teacher: builder.teacher.count > 0 ? builder.teacher.summary() : undefined, ...(runs.length ? { runs } : {}) });
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
