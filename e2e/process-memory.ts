/**
 * Resident memory of the Chromium this test runner launched, read from /proc (Linux) while something runs: the
 * renderer holds the page and its dedicated workers (the model import runs in the training worker), the browser
 * process and its utilities hold IndexedDB. Other engineers' browsers on the machine are not counted: only
 * processes descending from this runner are.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface Proc {
  pid: number;
  ppid: number;
  kind: string;
  rssKb: number;
}

function readProc(pid: number): Proc | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    // Chromium's helpers rewrite their title into one space-separated string; the browser keeps NUL separators.
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const type = cmd.find((a) => a.startsWith('--type='))?.slice(7) ?? 'browser';
    const sub = cmd.find((a) => a.startsWith('--utility-sub-type='))?.slice(19);
    return { pid, ppid, kind: sub ? `${type}:${sub}` : type, rssKb };
  } catch {
    return null;
  }
}

/** Chromium processes under this runner, with their resident memory now. */
export function chromiumProcesses(): Proc[] {
  // Chromium launched by Playwright is a direct child of this runner; its helpers descend from it (the zygote's
  // children run as /proc/self/exe, so they are found by descent, not by name).
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is Proc => p !== null);
  const children = new Map<number, Proc[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: Proc[] = [];
  const stack = [...(children.get(process.pid) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop() as Proc;
    out.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

export interface MemoryPeaks {
  /** A renderer's resident size when sampling began (the largest renderer then), MB. */
  rendererStartMb: number;
  /** Largest resident size of any one renderer (the page and its workers), MB. */
  rendererMb: number;
  /** Largest resident size of each kind of process (browser, renderer, utility:storage.mojom.StorageService, ...), MB. */
  byKindMb: Record<string, number>;
  /** Largest sum over every Chromium process of this runner at one sample, MB. */
  totalMb: number;
  samples: number;
}

/** Samples every `everyMs` until `stop` is called; `stop` gives the peaks. */
export function sampleMemory(everyMs = 100): { stop(): MemoryPeaks } {
  const peaks: MemoryPeaks = { rendererStartMb: 0, rendererMb: 0, byKindMb: {}, totalMb: 0, samples: 0 };
  const take = () => {
    const procs = chromiumProcesses();
    let total = 0;
    for (const p of procs) {
      total += p.rssKb;
      peaks.byKindMb[p.kind] = Math.round(Math.max(peaks.byKindMb[p.kind] ?? 0, p.rssKb / 1024));
      if (p.kind === 'renderer') peaks.rendererMb = Math.max(peaks.rendererMb, p.rssKb / 1024);
    }
    if (peaks.samples === 0) peaks.rendererStartMb = Math.round(peaks.rendererMb);
    peaks.totalMb = Math.max(peaks.totalMb, total / 1024);
    peaks.samples++;
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { ...peaks, rendererMb: Math.round(peaks.rendererMb), totalMb: Math.round(peaks.totalMb) };
    },
  };
}
