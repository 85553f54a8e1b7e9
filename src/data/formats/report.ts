/** What one file's import found: lines read, lines rejected by reason, references to ids the dataset lacks. */
export interface LineProblem {
  line: number;
  reason: string;
}

export interface FileReportData {
  name: string;
  layout: string;
  gzip: boolean;
  bytes: number;
  /** Non-blank lines read. */
  lines: number;
  /** Rows stored (for JSONL one line gives several triples). */
  rows: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** The first rejected lines, in file order. */
  examples: LineProblem[];
  /** Rows stored that name a query or passage the dataset does not hold: kept, counted, shown. */
  missing: number;
  missingExamples: LineProblem[];
  /** Time spent reading, checking and storing this file. */
  seconds: number;
}

export const MAX_EXAMPLES = 5;

export class FileReport {
  readonly data: FileReportData;

  constructor(name: string, layout: string, gzip: boolean, bytes: number) {
    this.data = { name, layout, gzip, bytes, lines: 0, rows: 0, rejected: 0, rejectedByReason: {}, examples: [], missing: 0, missingExamples: [], seconds: 0 };
  }

  /** `reason` is the category counted; `detail` says what exactly was wrong on this line. */
  reject(line: number, reason: string, detail = reason): void {
    const d = this.data;
    d.rejected++;
    d.rejectedByReason[reason] = (d.rejectedByReason[reason] ?? 0) + 1;
    if (d.examples.length < MAX_EXAMPLES) d.examples.push({ line, reason: detail });
  }

  missing(line: number, detail: string): void {
    const d = this.data;
    d.missing++;
    if (d.missingExamples.length < MAX_EXAMPLES) d.missingExamples.push({ line, reason: detail });
  }

  /** Share of non-blank lines rejected. */
  get rejectedShare(): number {
    return this.data.lines === 0 ? 0 : this.data.rejected / this.data.lines;
  }
}

/** "teacher.tsv line 3: expected 5 tab-separated columns, found 4" */
export function describeProblem(file: string, p: LineProblem): string {
  return `${file} line ${p.line}: ${p.reason}`;
}
