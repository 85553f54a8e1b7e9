// Shared by the benchmark scripts: command-line flags and the built app served by vite preview.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

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
