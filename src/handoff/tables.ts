/**
 * The dataset's stored chunks written back as the plain files they came from: teacher triples in the paper's
 * id-based layout, `id<TAB>text` for queries and passages, TREC qrels and runs. One chunk in, one block of UTF-8
 * bytes out, so any size streams through. Pure functions over typed arrays.
 */
import type { CandidateColumns, QrelColumns, TextColumns, TripleColumns } from '../data/store/schema';

const encoder = new TextEncoder();
const TAB = 9;
const NEWLINE = 10;
const RETURN = 13;
const SPACE = 32;

/**
 * The shortest decimal that reads back as the same float32: scores are stored as float32, and writing them with
 * float64's digits (`String`) would print noise such as 98.12345886230469.
 */
export function float32Text(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`cannot write a score of ${v}`);
  const f = Math.fround(v);
  for (let digits = 1; digits < 9; digits++) {
    const s = String(Number(f.toPrecision(digits)));
    if (Math.fround(Number(s)) === f) return s;
  }
  return String(Number(f.toPrecision(9)));
}

/** `pos_score<TAB>neg_score<TAB>qid<TAB>pid_pos<TAB>pid_neg`, one line per triple. */
export function tripleLines(t: TripleColumns): Uint8Array {
  let out = '';
  for (let i = 0; i < t.qid.length; i++) {
    out += `${float32Text(t.posScore[i] as number)}\t${float32Text(t.negScore[i] as number)}\t${t.qid[i]}\t${t.pos[i]}\t${t.neg[i]}\n`;
  }
  return encoder.encode(out);
}

/**
 * `id<TAB>text` for the rows `keep` accepts (all when it is absent). The stored UTF-8 is copied as it is, except
 * that tabs and line breaks inside a text (possible from JSONL) become spaces, which the layout cannot hold.
 */
export function textLines(cols: TextColumns, keep?: (id: number) => boolean): { bytes: Uint8Array; rows: number } {
  const rows: number[] = [];
  let size = 0;
  for (let r = 0; r < cols.id.length; r++) {
    if (keep && !keep(cols.id[r] as number)) continue;
    rows.push(r);
    size += 13 + ((cols.textOffsets[r + 1] as number) - (cols.textOffsets[r] as number));
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const r of rows) {
    at += encoder.encodeInto(`${cols.id[r]}\t`, out.subarray(at)).written;
    const from = cols.textOffsets[r] as number;
    const to = cols.textOffsets[r + 1] as number;
    for (let i = from; i < to; i++) {
      const b = cols.text[i] as number;
      out[at++] = b === TAB || b === NEWLINE || b === RETURN ? SPACE : b;
    }
    out[at++] = NEWLINE;
  }
  return { bytes: out.subarray(0, at), rows: rows.length };
}

/** TREC qrels: `qid<TAB>0<TAB>pid<TAB>grade`. */
export function qrelLines(q: QrelColumns): Uint8Array {
  let out = '';
  for (let i = 0; i < q.qid.length; i++) out += `${q.qid[i]}\t0\t${q.pid[i]}\t${q.grade[i]}\n`;
  return encoder.encode(out);
}

/** TREC run lines of one run file (`run` index), `qid Q0 pid rank score tag`; scores keep their double digits. */
export function runLines(c: CandidateColumns, run: number, tag: string): { bytes: Uint8Array; rows: number } {
  const safeTag = tag.replace(/\s+/g, '_') || 'run';
  let out = '';
  let rows = 0;
  for (let i = 0; i < c.qid.length; i++) {
    if (c.run[i] !== run) continue;
    out += `${c.qid[i]} Q0 ${c.pid[i]} ${c.rank[i]} ${c.score[i]} ${safeTag}\n`;
    rows++;
  }
  return { bytes: encoder.encode(out), rows };
}

/** A run's file name inside the zip: the name it was imported under, made safe for any file system. */
export function runFileName(name: string, index: number, taken: Set<string>): string {
  const stem = name.replace(/\.gz$/i, '').replace(/[^\w.-]+/g, '_').replace(/^\.+/, '') || `run-${index}`;
  let file = stem;
  for (let n = 2; taken.has(file); n++) file = `${stem}-${n}`;
  taken.add(file);
  return file;
}
