// Serves the built studio (dist/, as `npm start` serves it) on 127.0.0.1 for the headless runner and the
// benchmarks: vite's own preview server, in this process, so that nothing is left running when the script ends.
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { UsageError } from './flags.mjs';

/** Where the scripts look for the built app; MARGIN_DIST lets a test or a second checkout build elsewhere. */
export function distDir() {
  return process.env.MARGIN_DIST || 'dist';
}

/** The port tried first when none is asked for: one browsers allow (4190, the old default, they refuse). */
export const DEFAULT_PORT = 5180;

/**
 * Ports the Fetch standard calls "bad": Chromium and Node's fetch refuse to connect to them, so a server there
 * starts but can never be reached (https://fetch.spec.whatwg.org/#port-blocking).
 */
export const BAD_PORTS = new Set([
  0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117,
  119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989,
  990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/**
 * Whether a listener can bind 127.0.0.1:port right now (a bind, not a connect: a server on 0.0.0.0 or [::] takes
 * the port too).
 * @param {number} port
 * @returns {Promise<boolean>}
 */
export function isPortFree(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * A port the OS hands out as free (the ephemeral range holds no bad ports).
 * @returns {Promise<number>}
 */
function ephemeralPort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The ports to try, in order: the one asked for alone (a port a person chose is theirs to free), or the default, the
 * next few above it that browsers allow, then one from the OS.
 * @param {number | undefined} asked
 * @returns {AsyncGenerator<number>}
 */
async function* candidatePorts(asked) {
  if (asked !== undefined) {
    yield asked;
    return;
  }
  for (let p = DEFAULT_PORT; p < DEFAULT_PORT + 10; p++) if (!BAD_PORTS.has(p)) yield p;
  for (let i = 0; i < 5; i++) yield await ephemeralPort();
}

/**
 * @typedef {object} Served
 * @property {string} url e.g. http://127.0.0.1:5180/
 * @property {number} port
 * @property {() => Promise<void>} close stops the server
 */

/**
 * Serves the built app on 127.0.0.1 and resolves once it listens. Without `port`, DEFAULT_PORT is tried first and a
 * free one is taken when it is in use; a `port` given is used or refused (taken, or one browsers block).
 * @param {{ port?: number, dist?: string, log?: (line: string) => void }} [options]
 * @returns {Promise<Served>}
 */
export async function servePreview({ port, dist = distDir(), log = () => {} } = {}) {
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new UsageError(`--port ${port}: not a TCP port`);
  if (port !== undefined && BAD_PORTS.has(port)) throw new UsageError(`--port ${port}: browsers refuse to connect to this port (a Fetch standard "bad port"); choose another, e.g. ${DEFAULT_PORT}`);
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist}/ is missing: build the studio first (npm run build; the npm run scripts build it themselves)`);
  const { preview } = await import('vite');
  for await (const p of candidatePorts(port)) {
    // The bind check keeps a port someone else holds from being even tried; strictPort (below) keeps a port taken
    // between the check and vite's own bind from being answered by someone else's server.
    if (!(await isPortFree(p))) {
      if (port !== undefined) throw new Error(`port ${p} is in use: free it, or leave --port out to take a free one`);
      log(`port ${p} is in use; trying another`);
      continue;
    }
    try {
      const server = await preview({
        logLevel: 'warn',
        build: { outDir: dist },
        preview: { host: '127.0.0.1', port: p, strictPort: true, open: false },
      });
      return { url: `http://127.0.0.1:${p}/`, port: p, close: () => server.close() };
    } catch (err) {
      if (!(err instanceof Error) || !/already in use/.test(err.message) || port !== undefined) throw err;
      log(`port ${p} was taken meanwhile; trying another`);
    }
  }
  throw new Error('no free port found to serve the studio on');
}
