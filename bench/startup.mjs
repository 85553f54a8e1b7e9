// Times what a newcomer waits for: from `npm start` (build + serve) to a page with the demo dataset loaded and the
// Train button enabled. Usage: npm run bench:startup   (needs node_modules and Chromium; uses port 5173, as npm start does)
import { spawn } from 'node:child_process';
import { launchWebgpuChromium } from '../scripts/chromium.mjs';
import { flagsOrExit } from '../scripts/flags.mjs';
import { StudioPage } from '../scripts/studio-page.mjs';

flagsOrExit('npm run bench:startup', {});
const t0 = performance.now();
const server = spawn('npm', ['start'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
const stopServer = () => {
  try {
    if (server.pid !== undefined) process.kill(-server.pid);
  } catch {
    // already gone
  }
};
const url = await /** @type {Promise<string>} */ (
  new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      // Vite prints the URL with colour codes around parts of it.
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m?.[1]) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`npm start exited with ${code}: ${out.slice(-2000)}`)));
  })
);
const served = performance.now();
const browser = await launchWebgpuChromium();
try {
  const studio = new StudioPage(await browser.newPage());
  await studio.open(url);
  await studio.data.waitForDemo();
  await studio.waitForEnabled('train-start');
  const usable = performance.now();
  console.log(`npm start printed ${url} after ${((served - t0) / 1000).toFixed(1)} s (vite build + preview)`);
  console.log(`first visit (fresh browser profile): demo generated and stored, Train enabled after another ${((usable - served) / 1000).toFixed(1)} s`);
  console.log(`npm start to usable page: ${((usable - t0) / 1000).toFixed(1)} s`);
} finally {
  await browser.close();
  stopServer();
}
process.exit(0);
