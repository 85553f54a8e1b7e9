// node --test scripts/: the page's bundle holds no tfjs; only the workers, which train and evaluate, load it.
// tfjs is about 1.5 MB minified: in the page it costs every visit its download and parse, for nothing the page runs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'vite';

/** An error message of tfjs-core's engine (engine.ts), kept by minification: a chunk holding it holds tfjs-core. */
const TFJS_CORE_MARKER = 'No backend found in registry';

/**
 * Records, in the page's build, the static import chain from src/main.tsx to each first-party module that imports
 * tfjs (or model/tf.ts) directly: what a failure names, so that the import to cut is plain.
 * @param {string[]} chains
 * @returns {import('vite').Plugin}
 */
function tfjsChains(chains) {
  return {
    name: 'page-bundle-tfjs-chains',
    generateBundle() {
      const start = [...this.getModuleIds()].find((id) => id.endsWith('/src/main.tsx'));
      if (!start) return; // a worker's build
      const cameFrom = new Map([[start, '']]);
      const queue = [start];
      for (let id = queue.shift(); id; id = queue.shift()) {
        for (const next of this.getModuleInfo(id)?.importedIds ?? []) {
          if (next.includes('@tensorflow') || next.endsWith('/src/model/tf.ts')) {
            const chain = [id];
            for (let at = cameFrom.get(id); at; at = cameFrom.get(at)) chain.unshift(at);
            chains.push(chain.map((c) => c.replace(/^.*\/src\//, 'src/')).join(' → ') + ' → ' + next.replace(/^.*node_modules\//, '').replace(/^.*\/src\//, 'src/'));
          } else if (!cameFrom.has(next)) {
            cameFrom.set(next, id);
            queue.push(next);
          }
        }
      }
    },
  };
}

/** The production build, in memory (nothing written), as one list of chunks and assets. */
async function buildOutput() {
  const outDir = mkdtempSync(join(tmpdir(), 'margin-page-bundle-'));
  /** @type {string[]} */
  const chains = [];
  try {
    const quiet = { checks: { bundlerTimings: false } };
    const result = await build({ logLevel: 'silent', plugins: [tfjsChains(chains)], build: { outDir, write: false, rolldownOptions: quiet }, worker: { rolldownOptions: quiet } });
    const outputs = Array.isArray(result) ? result : [result];
    return { output: outputs.flatMap((o) => /** @type {import('rolldown').RolldownOutput} */ (o).output), chains: [...new Set(chains)] };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * The entry chunk of index.html and every chunk it imports statically (what the page loads before it runs);
 * dynamic imports and workers are left out.
 * @param {Awaited<ReturnType<typeof buildOutput>>['output']} output
 */
function pageChunks(output) {
  const chunks = new Map(output.filter((o) => o.type === 'chunk').map((c) => [c.fileName, c]));
  const entry = [...chunks.values()].find((c) => c.isEntry && c.facadeModuleId?.endsWith('/index.html'));
  assert.ok(entry, `no entry chunk for index.html among ${[...chunks.keys()].join(', ')}`);
  const seen = new Map([[entry.fileName, entry]]);
  const queue = [entry];
  for (let c = queue.shift(); c; c = queue.shift()) {
    for (const name of c.imports) {
      const next = chunks.get(name);
      if (next && !seen.has(name)) {
        seen.set(name, next);
        queue.push(next);
      }
    }
  }
  return [...seen.values()];
}

/** @param {{ type: string, code?: string, source?: string | Uint8Array }} o */
function text(o) {
  return o.type === 'chunk' ? (o.code ?? '') : typeof o.source === 'string' ? o.source : new TextDecoder().decode(o.source);
}

test('the page entry chunk and its static imports hold no tfjs; the training worker does', { timeout: 300_000 }, async () => {
  const { output, chains } = await buildOutput();
  // The marker does find tfjs where it is, so its absence from the page means something.
  const workers = output.filter((o) => /trainer\.worker/.test(o.fileName));
  assert.ok(workers.length > 0, `no training worker among ${output.map((o) => o.fileName).join(', ')}`);
  assert.ok(workers.some((w) => text(w).includes(TFJS_CORE_MARKER)), 'the training worker holds tfjs-core');

  const offenders = pageChunks(output).filter((c) => c.code.includes(TFJS_CORE_MARKER));
  assert.deepEqual(
    offenders.map((c) => c.fileName),
    [],
    `the page loads tfjs-core (${offenders.map((c) => c.fileName).join(', ')}), imported statically from src/main.tsx through:\n  ${chains.join('\n  ')}`,
  );
});
