import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { FIXTURES } from '../src/testing/fixtures';
import { DEFAULT_PORT } from '../scripts/serve.mjs';

// Each run builds the studio first (about 5 s), as the command does for a person.
test.describe.configure({ timeout: 480_000 });

/**
 * `npm run train -- ARGS`: the command exactly as README shows it, with no --port, so that the default port is
 * what is tested. The build goes where the test server's build is (E2E_DIST), not over someone else's dist/.
 */
function npmRunTrain(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, MARGIN_DIST: process.env.E2E_DIST ?? 'dist' };
  return new Promise((resolve) => {
    execFile('npm', ['run', 'train', '--', ...args], { timeout: 450_000, env }, (err, stdout, stderr) => {
      // npm's own warnings (the project's .npmrc sets onnxruntime-node's install option, which npm does not know) are
      // npm's, not the runner's: the runner's stderr is the rest.
      const runner = stderr
        .split('\n')
        .filter((line) => !line.startsWith('npm warn '))
        .join('\n');
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr: runner });
    });
  });
}

/** The port the runner served the studio on, from its progress lines. */
const servedPort = (stdout: string) => Number(/serving the studio at http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout)?.[1]);

/** Holds 127.0.0.1:port with a plain TCP listener, as another program would (resolves null when it is held already). */
function occupy(port: number): Promise<Server | null> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.end('not the studio\n'));
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(null) : reject(err)));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

test('npm run train on msmarco-sample writes the weights in both formats and metrics.json', async () => {
  const out = mkdtempSync(join(tmpdir(), 'margin-runner-'));
  const config = join(out, 'run.json');
  writeFileSync(config, JSON.stringify({ arch: 'colbert', steps: 6, batchSize: 8, hidden: 16, ffn: 32, queryLength: 8, passageLength: 24, probeSize: 16, seed: 11, learningRate: 0.005 }));
  const { code, stdout, stderr } = await npmRunTrain(['--data', `${FIXTURES}/msmarco-sample`, '--out', join(out, 'result'), '--config', config]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(servedPort(stdout)).toBeGreaterThan(0);
  // Progress lines as it goes: import, steps, evaluation, files.
  expect(stdout).toMatch(/importing 7 files/);
  expect(stdout).toMatch(/running step \d+ loss/);
  expect(stdout).toMatch(/done step 6 loss/);
  expect(stdout).toMatch(/student: MRR@10/);
  for (const f of ['student.safetensors', 'model.json', 'weights.bin', 'metrics.json']) expect(existsSync(join(out, 'result', f)), f).toBe(true);
  const metrics = JSON.parse(readFileSync(join(out, 'result', 'metrics.json'), 'utf8')) as {
    config: { arch: string; seed: number; steps: number };
    parameters: number;
    losses: number[];
    final: { step: number };
    evaluation: { system: string; queries: number; mrr10: number }[];
    dataset: { passages: number; queries: number; qrels: number };
  };
  expect(metrics.config).toMatchObject({ arch: 'colbert', seed: 11, steps: 6 });
  expect(metrics.losses).toHaveLength(6);
  expect(metrics.losses.every(Number.isFinite)).toBe(true);
  expect(metrics.final.step).toBe(6);
  expect(metrics.dataset).toMatchObject({ passages: 260, queries: 10, qrels: 10 });
  const systems = metrics.evaluation.map((r) => r.system);
  expect(systems).toContain('student');
  expect(systems).toContain('bm25');
  expect(metrics.evaluation.find((r) => r.system === 'student')?.queries).toBe(10);
  const st = readFileSync(join(out, 'result', 'student.safetensors'));
  const n = Number(st.readBigUInt64LE(0));
  expect(st.length).toBe(8 + n + 4 * metrics.parameters);
  expect(readFileSync(join(out, 'result', 'weights.bin')).length).toBe(4 * metrics.parameters);
});

test('the runner refuses a missing folder and a bad config with a clear message and a non-zero exit', async () => {
  const out = mkdtempSync(join(tmpdir(), 'margin-runner-'));
  const missing = await npmRunTrain(['--data', join(out, 'nowhere'), '--out', out]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/--data .*nowhere: no such folder/);
  const noOut = await npmRunTrain(['--data', `${FIXTURES}/msmarco-sample`]);
  expect(noOut.code).toBe(2);
  expect(noOut.stderr).toMatch(/--out OUT is required/);
  const config = join(out, 'bad.json');
  writeFileSync(config, '{"arch": "bert", "steps": 5}');
  const bad = await npmRunTrain(['--data', `${FIXTURES}/msmarco-sample`, '--out', out, '--config', config]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/arch must be one of dot, colbert, tk, prett, cat, got bert/);
  writeFileSync(config, '{"steps": 5,');
  const notJson = await npmRunTrain(['--data', `${FIXTURES}/msmarco-sample`, '--out', out, '--config', config]);
  expect(notJson.code).toBe(2);
  expect(notJson.stderr).toMatch(/bad\.json: not JSON/);
});

test('with the default port taken by another program, npm run train serves on a free port and still trains', async () => {
  const held = await occupy(DEFAULT_PORT);
  try {
    const out = mkdtempSync(join(tmpdir(), 'margin-runner-'));
    const config = join(out, 'run.json');
    writeFileSync(config, JSON.stringify({ arch: 'dot', steps: 2, batchSize: 4, hidden: 16, ffn: 32, layers: 1, queryLength: 8, passageLength: 16, probeSize: 8, seed: 3 }));
    const { code, stdout, stderr } = await npmRunTrain(['--data', `${FIXTURES}/msmarco-sample`, '--out', join(out, 'result'), '--config', config]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`port ${DEFAULT_PORT} is in use`);
    const port = servedPort(stdout);
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(DEFAULT_PORT);
    expect(stdout).toMatch(/done step 2 loss/);
    const metrics = JSON.parse(readFileSync(join(out, 'result', 'metrics.json'), 'utf8')) as { losses: number[]; config: { arch: string } };
    expect(metrics.config.arch).toBe('dot');
    expect(metrics.losses).toHaveLength(2);
    expect(existsSync(join(out, 'result', 'student.safetensors'))).toBe(true);
  } finally {
    await new Promise((resolve) => (held ? held.close(resolve) : resolve(undefined)));
  }
});
