/**
 * The file layouts the studio reads, and how one is recognised from a file's first lines. Detection looks at the
 * content; the file name only breaks the one real tie (a collection and a query file are both `id<TAB>text`).
 */
export const LAYOUTS = ['teacher-ids', 'teacher-text', 'teacher-jsonl', 'collection', 'queries', 'qrels', 'run'] as const;
export type Layout = (typeof LAYOUTS)[number];

export const LAYOUT_LABELS: Record<Layout, string> = {
  'teacher-ids': 'teacher scores, id-based (pos neg qid pid+ pid-)',
  'teacher-text': 'teacher scores, text-based (pos neg query passage+ passage-)',
  'teacher-jsonl': 'teacher scores, JSONL (FlagEmbedding)',
  collection: 'collection (pid passage)',
  queries: 'queries (qid query)',
  qrels: 'TREC qrels (qid 0 pid grade)',
  run: 'TREC run (qid Q0 pid rank score tag)',
};

export function isLayout(value: unknown): value is Layout {
  return typeof value === 'string' && (LAYOUTS as readonly string[]).includes(value);
}

const INT = /^[+-]?\d+$/;
const NUM = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Passages average several hundred characters and queries a few dozen; this splits the two comfortably. */
const QUERY_MAX_MEAN_CHARS = 120;

function lineLayout(line: string): Layout | 'text-pair' | null {
  if (line.startsWith('{')) {
    try {
      const obj = JSON.parse(line) as Record<string, unknown>;
      if (typeof obj === 'object' && obj !== null && 'query' in obj && ('pos' in obj || 'neg' in obj)) return 'teacher-jsonl';
    } catch {
      // Only the start of a very long line may be at hand: its keys still say what it is.
      return /^\{\s*"query"\s*:/.test(line) && /"(pos|neg)"\s*:/.test(line) ? 'teacher-jsonl' : null;
    }
    return null;
  }
  const tabs = line.split('\t');
  if (tabs.length === 5 && NUM.test(tabs[0] as string) && NUM.test(tabs[1] as string)) {
    return tabs.slice(2).every((f) => INT.test(f)) ? 'teacher-ids' : 'teacher-text';
  }
  if (tabs.length >= 2 && INT.test(tabs[0] as string) && tabs.length !== 4 && tabs.length !== 6) return 'text-pair';
  const ws = line.trim().split(/\s+/);
  if (ws.length === 4 && (ws[1] === '0' || ws[1] === 'Q0') && INT.test(ws[0] as string) && INT.test(ws[2] as string) && INT.test(ws[3] as string)) return 'qrels';
  if (ws.length === 6 && ws[1] === 'Q0' && INT.test(ws[0] as string) && INT.test(ws[2] as string) && INT.test(ws[3] as string) && NUM.test(ws[4] as string)) return 'run';
  if (tabs.length >= 2 && INT.test(tabs[0] as string)) return 'text-pair';
  return null;
}

export type Detection = { layout: Layout } | { layout: null; reason: string };

/** Recognises a layout from the first lines of a file (BOM and CR already removed). */
export function detectLayout(lines: readonly string[], fileName: string): Detection {
  const sample = lines.filter((l) => l.trim() !== '').slice(0, 20);
  if (sample.length === 0) return { layout: null, reason: 'the file is empty' };
  const votes = new Map<Layout | 'text-pair', number>();
  for (const line of sample) {
    const kind = lineLayout(line);
    if (kind) votes.set(kind, (votes.get(kind) ?? 0) + 1);
  }
  const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0];
  if (!best || best[1] * 2 < sample.length) {
    const first = sample[0] as string;
    return { layout: null, reason: `the first lines match no known layout (line 1 starts "${first.slice(0, 80)}")` };
  }
  if (best[0] !== 'text-pair') return { layout: best[0] };
  const base = fileName.toLowerCase().replace(/^.*[\\/]/, '');
  if (/quer/.test(base)) return { layout: 'queries' };
  if (/collection|corpus|passage|doc/.test(base)) return { layout: 'collection' };
  const texts = sample.map((l) => l.slice(l.indexOf('\t') + 1));
  const mean = texts.reduce((n, t) => n + t.length, 0) / texts.length;
  return { layout: mean < QUERY_MAX_MEAN_CHARS ? 'queries' : 'collection' };
}
