// Shared by the benchmark scripts: command-line flags and the built app served by vite preview.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

/** Generated benchmark inputs live here (ignored by git), kept between runs. */
export const OUT = resolve('bench/out');
mkdirSync(OUT, { recursive: true });


/** `--name value` pairs from the command line. */
export function flags(argv = process.argv.slice(2)) {
  return Object.fromEntries(argv.reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
}

/** Serves dist/ on 127.0.0.1:port until the process exits; resolves with the URL once it answers. */
export async function servePreview(port) {
  if (!existsSync('dist/index.html')) throw new Error('dist/ is missing: run npm run build first');
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore', detached: true });
  process.on('exit', () => {
    try {
      process.kill(-server.pid);
    } catch {}
  });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return url;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server at ${url} did not start`);
}

/**
 * Serves the built studio, opens it in headless Chromium with a fresh persistent profile named `name` (IndexedDB
 * survives reloads, as in a person's browser) and waits until the demo dataset is there.
 */
export async function openStudio(port, name) {
  const { chromium } = await import('@playwright/test');
  const { chromiumPath, webgpuArgs } = await import('../scripts/chromium.mjs');
  const { rmSync } = await import('node:fs');
  const url = await servePreview(port);
  const profile = `${OUT}/${name}-profile`;
  rmSync(profile, { recursive: true, force: true });
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath(), headless: true, args: webgpuArgs });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  await page.locator('[data-testid="dataset-summary"][data-passages="2000"]').waitFor({ timeout: 120_000 });
  return { context, page, get: (id) => page.getByTestId(id) };
}

/** mulberry32: the same files on every machine. */
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

export async function writeLines(path, count, line) {
  if (existsSync(path)) return;
  const out = createWriteStream(path + '.part');
  let buf = [];
  for (let i = 0; i < count; i++) {
    buf.push(line(i));
    if (buf.length === 10_000) {
      if (!out.write(buf.join(''))) await new Promise((r) => out.once('drain', r));
      buf = [];
    }
  }
  out.write(buf.join(''));
  await new Promise((r) => out.end(r));
  execFileSync('mv', [path + '.part', path]);
}

/** Passages of about MS MARCO's length (≈ 55 words, ≈ 340 bytes) from a 30,000-word Zipf-like vocabulary. */
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

