// Finds a Python with PyTorch 2 or later for the side-by-side PyTorch rows of the benchmarks, installing the current
// `torch` wheel (CPU) with pip into a virtual environment under bench/out/ (git-ignored) when none has it. Debian's
// python3-torch 1.13 is refused: it runs the same training step about 10x slower than a 2.x wheel on the same CPU,
// so a comparison against it flatters the studio. Prints the interpreter's path on stdout; exits 1, saying why on
// stderr, when there is none (the benchmark then leaves the PyTorch rows out and says so).
//
// Usage: node bench/torch/setup.mjs [--check-only]   (--check-only: find, never install)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VENV = join(ROOT, 'bench', 'out', 'torch-venv');
const VENV_PYTHON = join(VENV, 'bin', 'python3');
const MIN_MAJOR = 2;

/** The torch version a Python imports, or null when it has none. @param {string} python */
function torchVersion(python) {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** 2.13.0+cpu -> 2; null for a version string that does not start with a number. @param {string} version */
const majorOf = (version) => {
  const m = /^(\d+)\./.exec(version);
  return m ? Number(m[1]) : null;
};

/** Candidates in order of preference: the venv this script makes, then whatever python3 is on the PATH. */
const candidates = () => [...(existsSync(VENV_PYTHON) ? [VENV_PYTHON] : []), 'python3', '/usr/bin/python3'];

/** The first candidate with torch >= 2, and the old versions seen on the way (for the refusal message). */
function find() {
  const tooOld = [];
  for (const python of candidates()) {
    const version = torchVersion(python);
    if (version === null) continue;
    const major = majorOf(version);
    if (major !== null && major >= MIN_MAJOR) return { python, version, tooOld };
    tooOld.push(`${python} has torch ${version}`);
  }
  return { python: null, version: null, tooOld };
}

function install() {
  console.error(`no Python with torch >= ${MIN_MAJOR}: installing the current torch wheel (CPU) with pip into ${VENV} (a few minutes, once)`);
  if (!existsSync(VENV_PYTHON)) {
    const made = spawnSync('python3', ['-m', 'venv', VENV], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (made.status !== 0) return console.error('python3 -m venv failed (on Debian: apt-get install python3-venv)');
  }
  // The plain index first (here it serves a CPU build); PyTorch's own CPU-only index when that fails, which
  // spares the ~2 GB of CUDA libraries a plain Linux install pulls from pypi.org.
  // One retry: where the default index is out of reach and a local one serves the wheels, pip would otherwise back
  // off five times on every package before taking them from the local one.
  const pip = (/** @type {string[]} */ extra) => spawnSync(VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', '--retries', '1', 'torch', ...extra], { stdio: ['ignore', 'inherit', 'inherit'] }).status === 0;
  if (!pip([]) && !pip(['--index-url', 'https://download.pytorch.org/whl/cpu'])) console.error('pip could not install torch');
}

const checkOnly = process.argv.includes('--check-only');
let found = find();
if (!found.python && !checkOnly) {
  install();
  found = find();
}
if (!found.python) {
  for (const line of found.tooOld) console.error(`${line}: refused, the PyTorch rows need torch >= ${MIN_MAJOR} (1.x is about 10x slower on the same CPU)`);
  console.error(`no Python with torch >= ${MIN_MAJOR}: run node bench/torch/setup.mjs, or pip install torch, to get the PyTorch rows`);
  process.exit(1);
}
console.error(`PyTorch ${found.version} at ${found.python}`);
console.log(found.python);
