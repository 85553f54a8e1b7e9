import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { FIXTURES } from '../src/testing/fixtures';

/** Runs the headless runner (the built app is in dist/, as the test command builds it first). */
function runner(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', ['scripts/train.mjs', '--port', '4191', ...args], { timeout: 280_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('npm run train on msmarco-sample writes the weights in both formats and metrics.json', async () => {
  const out = mkdtempSync(join(tmpdir(), 'margin-runner-'));
  const config = join(out, 'run.json');
  writeFileSync(config, JSON.stringify({ arch: 'colbert', steps: 6, batchSize: 8, hidden: 16, ffn: 32, queryLength: 8, passageLength: 24, probeSize: 16, seed: 11, learningRate: 0.005 }));
  const { code, stdout, stderr } = await runner(['--data', `${FIXTURES}/msmarco-sample`, '--out', join(out, 'result'), '--config', config]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
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
  const missing = await runner(['--data', join(out, 'nowhere'), '--out', out]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/--data .*nowhere: no such folder/);
  const noOut = await runner(['--data', `${FIXTURES}/msmarco-sample`]);
  expect(noOut.code).toBe(2);
  expect(noOut.stderr).toMatch(/--out OUT is required/);
  const config = join(out, 'bad.json');
  writeFileSync(config, '{"arch": "bert", "steps": 5}');
  const bad = await runner(['--data', `${FIXTURES}/msmarco-sample`, '--out', out, '--config', config]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/arch must be one of dot, colbert, tk, prett, cat, got bert/);
  writeFileSync(config, '{"steps": 5,');
  const notJson = await runner(['--data', `${FIXTURES}/msmarco-sample`, '--out', out, '--config', config]);
  expect(notJson.code).toBe(2);
  expect(notJson.stderr).toMatch(/bad\.json: not JSON/);
});
