// Finds a Python with PyTorch for the side-by-side rows of bench:train, installing Debian's python3-torch (CPU) with
// apt when none has it and this runs as root. Prints the interpreter's path on stdout; exits 1, saying why on
// stderr, when there is none (the benchmark then leaves the PyTorch rows out and says so).
import { spawnSync } from 'node:child_process';

const CANDIDATES = ['/usr/bin/python3', 'python3'];

/** @param {string} python */
const hasTorch = (python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

let found = CANDIDATES.find(hasTorch);
if (!found && process.getuid?.() === 0 && spawnSync('which', ['apt-get'], { stdio: 'ignore' }).status === 0) {
  console.error('no Python with PyTorch found: installing Debian\'s python3-torch (CPU) with apt-get (a few minutes, once)');
  const update = spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', 'python3-torch'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }) : update;
  if (install.status !== 0) console.error('apt-get could not install python3-torch');
  found = CANDIDATES.find(hasTorch);
}
if (!found) {
  console.error('no Python with PyTorch: install python3-torch (Debian) or torch (pip) to get the PyTorch rows');
  process.exit(1);
}
console.log(found);
