// node --test scripts/: the scripts' flag parser, on the command lines people type and the mistakes they make.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFlags, usage, UsageError } from './flags.mjs';

const SPEC = /** @type {const} */ ({
  data: { required: true, value: 'DIR', help: 'a folder' },
  steps: { type: 'integer', min: 1, default: 30 },
  rate: { type: 'number' },
  gpu: { choices: ['swiftshader', 'hardware'], default: 'swiftshader' },
  archs: { type: 'list', choices: ['dot', 'cat'], default: ['dot'] },
});

/** @param {string[]} argv */
const refused = (argv) => {
  try {
    parseFlags(SPEC, argv);
  } catch (err) {
    assert.ok(err instanceof UsageError, `a UsageError, not ${String(err)}`);
    return err.message;
  }
  assert.fail(`accepted ${argv.join(' ')}`);
};

test('pairs are read, numbers parsed, defaults filled in', () => {
  assert.deepEqual(parseFlags(SPEC, ['--data', 'd', '--steps', '3', '--rate', '0.5', '--archs', 'cat,dot']), { data: 'd', steps: 3, rate: 0.5, gpu: 'swiftshader', archs: ['cat', 'dot'] });
  assert.deepEqual(parseFlags(SPEC, ['--data', 'd']), { data: 'd', steps: 30, rate: undefined, gpu: 'swiftshader', archs: ['dot'] });
  // A negative number is a value, not a flag.
  assert.equal(parseFlags(SPEC, ['--data', 'd', '--rate', '-2']).rate, -2);
});

test('unknown flags, missing values and bad numbers are refused with a message', () => {
  assert.match(refused(['--data', 'd', '--stpes', '3']), /unknown flag --stpes \(known: --data, --steps, --rate, --gpu, --archs\)/);
  assert.match(refused(['--data', 'd', '--steps']), /--steps needs a value/);
  assert.match(refused(['--data', '--steps', '3']), /--data needs a value \(DIR\)/);
  assert.match(refused(['--data', 'd', '--steps', 'ten']), /--steps must be a number, got "ten"/);
  assert.match(refused(['--data', 'd', '--steps', '2.5']), /--steps must be a whole number/);
  assert.match(refused(['--data', 'd', '--steps', '0']), /--steps must be at least 1/);
  assert.match(refused(['--data', 'd', '--rate', '']), /--rate must be a number/);
  assert.match(refused(['--data', 'd', '--gpu', 'cuda']), /--gpu must be one of swiftshader, hardware, got "cuda"/);
  assert.match(refused(['--data', 'd', '--archs', 'dot,bert']), /--archs: bert not among dot, cat/);
  assert.match(refused(['--data', 'd', '--archs', 'dot,']), /comma-separated list/);
  assert.match(refused(['--steps', '3']), /--data DIR is required \(a folder\)/);
  assert.match(refused(['--data', 'd', 'extra']), /unexpected argument "extra"/);
  assert.match(refused(['--data', 'd', '--data', 'e']), /--data is given twice/);
  assert.match(refused(['--data', 'd', '--toString', 'x']), /unknown flag --toString/);
});

test('the usage text names every flag', () => {
  const text = usage('npm run x --', SPEC);
  for (const name of Object.keys(SPEC)) assert.match(text, new RegExp(`--${name} `));
  assert.match(text, /default 30/);
});
