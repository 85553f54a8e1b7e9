// node --test scripts/: serving the built app on a port browsers reach, and a free one when the default is taken.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from './flags.mjs';
import { BAD_PORTS, DEFAULT_PORT, isPortFree, servePreview } from './serve.mjs';

/** A stand-in for dist/: the preview server serves whatever folder it is given. */
function fakeDist() {
  const dir = mkdtempSync(join(tmpdir(), 'margin-dist-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>studio stand-in</title>');
  return dir;
}

/**
 * Holds 127.0.0.1:port as another program would; null when something holds it already.
 * @param {number} port
 * @returns {Promise<import('node:net').Server | null>}
 */
function occupy(port) {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.end('not the studio\n'));
    server.once('error', () => resolve(null));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

test('the default port is one browsers allow', () => {
  assert.equal(BAD_PORTS.has(DEFAULT_PORT), false);
  assert.equal(BAD_PORTS.has(4190), true);
});

test('with the default port taken, the app is served on another port that answers with the app', async () => {
  const held = await occupy(DEFAULT_PORT);
  try {
    assert.equal(await isPortFree(DEFAULT_PORT), false);
    /** @type {string[]} */
    const lines = [];
    const served = await servePreview({ dist: fakeDist(), log: (l) => lines.push(l) });
    try {
      assert.notEqual(served.port, DEFAULT_PORT);
      assert.equal(BAD_PORTS.has(served.port), false);
      assert.match(lines.join('\n'), new RegExp(`port ${DEFAULT_PORT} is in use`));
      assert.match(await (await fetch(served.url)).text(), /studio stand-in/);
    } finally {
      await served.close();
    }
  } finally {
    await new Promise((r) => (held ? held.close(() => r(undefined)) : r(undefined)));
  }
});

test('a port asked for is used, or refused when taken or blocked by browsers', async () => {
  const dist = fakeDist();
  const held = await occupy(0);
  assert.ok(held);
  const address = held.address();
  const taken = typeof address === 'object' && address ? address.port : 0;
  try {
    await assert.rejects(servePreview({ port: taken, dist }), new RegExp(`port ${taken} is in use`));
  } finally {
    await new Promise((r) => held.close(() => r(undefined)));
  }
  await assert.rejects(servePreview({ port: 4190, dist }), (err) => err instanceof UsageError && /browsers refuse/.test(err.message));
  const served = await servePreview({ port: taken, dist });
  try {
    assert.equal(served.url, `http://127.0.0.1:${taken}/`);
    assert.match(await (await fetch(served.url)).text(), /studio stand-in/);
  } finally {
    await served.close();
  }
});

test('a missing build is named', async () => {
  await assert.rejects(servePreview({ dist: join(tmpdir(), 'margin-no-such-dist') }), /margin-no-such-dist\/ is missing: build the studio first/);
});
