// Shared by the benchmark scripts: where generated inputs live, and the generators. Serving and driving the studio
// are the product's own (scripts/serve.mjs, scripts/studio-browser.mjs, scripts/studio-page.mjs); flags are read by
// scripts/flags.mjs.
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

/** Generated benchmark inputs live here (ignored by git), kept between runs. */
export const OUT = resolve('bench/out');
mkdirSync(OUT, { recursive: true });

/**
 * A browser profile folder for one benchmark, under bench/out (emptied when the benchmark starts and ends).
 * @param {string} name
 */
export function profileDir(name) {
  return `${OUT}/${name}-profile`;
}

/**
 * Prints a line prefixed with the seconds since `t0`.
 * @param {number} t0 Date.now() at the start
 * @returns {(line: string) => void}
 */
export function clockLog(t0) {
  return (line) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}`);
}

/**
 * mulberry32: the same files on every machine.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes `count` lines to `path` (through a .part file, so that a cut-off run leaves no half file), unless it exists.
 * @param {string} path
 * @param {number} count
 * @param {(i: number) => string} line the i-th line, with its newline
 */
export async function writeLines(path, count, line) {
  if (existsSync(path)) return;
  const out = createWriteStream(path + '.part');
  /** @type {string[]} */
  let buf = [];
  for (let i = 0; i < count; i++) {
    buf.push(line(i));
    if (buf.length === 10_000) {
      if (!out.write(buf.join(''))) await new Promise((r) => out.once('drain', () => r(undefined)));
      buf = [];
    }
  }
  out.write(buf.join(''));
  await new Promise((r) => out.end(() => r(undefined)));
  execFileSync('mv', [path + '.part', path]);
}

/**
 * Passages of about MS MARCO's length (≈ 55 words, ≈ 340 bytes) from a 30,000-word Zipf-like vocabulary.
 * @param {number} passages
 * @returns {Promise<string>} the file's path
 */
export function collectionFile(passages) {
  const path = `${OUT}/ingest-collection-${passages}.tsv`;
  const r = rng(11);
  const syll = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'be', 'da', 'ge', 'po', 'ri', 'st', 'an', 'el', 'or', 'um'];
  const vocab = Array.from({ length: 30_000 }, (_, i) => {
    let w = '';
    for (let n = 1 + (i % 3) + (i > 500 ? 1 : 0), x = i; n > 0; n--, x = Math.floor(x / syll.length)) w += syll[x % syll.length];
    return w;
  });
  return writeLines(path, passages, (i) => {
    const words = [];
    const n = 35 + Math.floor(r() * 40);
    for (let k = 0; k < n; k++) words.push(vocab[Math.floor(vocab.length * r() ** 3)]);
    return `${i}\t${words.join(' ')}.\n`;
  }).then(() => path);
}


/**
 * A Python with PyTorch ≥ 2 for the side-by-side rows, found or installed by bench/torch/setup.mjs (which says on
 * stderr why there is none); null when there is none.
 * @returns {string | null}
 */
export function torchPython() {
  const setup = spawnSync(process.execPath, ['bench/torch/setup.mjs'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const python = setup.stdout.trim();
  return setup.status === 0 && python ? python : null;
}

/**
 * Runs `use` on the project's own TypeScript modules, loaded through Vite's server-side loader (no build), for
 * scripts that need the studio's code without a browser: `paths` from the repository root, e.g.
 * '/src/train/memory-plan.ts'. The loader stays open until `use` has finished (a module may import lazily).
 * @template {readonly string[]} P
 * @template T
 * @param {P} paths
 * @param {(modules: { [K in keyof P]: Record<string, any> }) => Promise<T> | T} use
 * @returns {Promise<T>}
 */
export async function withSources(paths, use) {
  const { createServer } = await import('vite');
  const vite = await createServer({ configFile: false, server: { middlewareMode: true, hmr: false }, appType: 'custom', logLevel: 'error', optimizeDeps: { noDiscovery: true } });
  try {
    const out = [];
    for (const path of paths) out.push(await vite.ssrLoadModule(path));
    return await use(/** @type {{ [K in keyof P]: Record<string, any> }} */ (/** @type {unknown} */ (out)));
  } finally {
    await vite.close();
  }
}

/**
 * The students the studio registers (src/model/students/registry.ts), in its order: what the benches offer and
 * run, so a new student needs no edit here.
 * @returns {Promise<string[]>}
 */
export async function studentNames() {
  return withSources(/** @type {const} */ (['/src/model/students/registry.ts']), ([{ ARCHS }]) => [...ARCHS]);
}
