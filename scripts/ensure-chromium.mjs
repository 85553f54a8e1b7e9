// Makes sure a Chromium for the browser tests exists. Debian's package is used (never a downloaded browser build):
// installed with apt-get when running as root, otherwise the exact command to run is printed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChromium as found } from './chromium.mjs';
import { errorMessage } from './errors.mjs';

if (found()) {
  process.exit(0);
}
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (!isRoot || !hasApt) {
  console.error('Chromium is needed for the browser tests and was not found.');
  console.error(hasApt ? 'Install it with:  sudo apt-get update && sudo apt-get install -y chromium' : 'Install Chromium with your package manager, or set CHROMIUM_PATH to a Chromium or Chrome binary.');
  process.exit(1);
}
console.log('Chromium not found: installing Debian\'s chromium package (apt-get)…');
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
} catch (err) {
  console.error(`apt-get could not install chromium: ${errorMessage(err)}`);
  process.exit(1);
}
if (!found()) {
  console.error('apt-get finished but no Chromium binary was found in /usr/bin.');
  process.exit(1);
}
console.log(`Chromium installed at ${found()}`);
