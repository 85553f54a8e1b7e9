// Times what a newcomer waits for: from `npm start` (build + serve) to a page with the demo dataset loaded and the
// Train button enabled. Usage: npm run bench:startup   (needs node_modules and Chromium; uses port 5173)
import { spawn } from 'node:child_process';
import { launchWebgpuChromium } from '../scripts/chromium.mjs';

const t0 = performance.now();
const server = spawn('npm', ['start'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
const url = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (chunk) => {
    out += chunk;
    // Vite prints the URL with colour codes around parts of it.
    const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`npm start exited with ${code}`)));
});
const served = performance.now();
const browser = await launchWebgpuChromium();
try {
  const page = await browser.newPage();
  await page.goto(url);
  await page.locator('[data-testid="dataset-summary"][data-passages="2000"]').waitFor({ timeout: 120_000 });
  await page.getByTestId('train-start').and(page.locator(':enabled')).waitFor();
  const usable = performance.now();
  console.log(`npm start printed ${url} after ${((served - t0) / 1000).toFixed(1)} s (vite build + preview)`);
  console.log(`first visit (fresh browser profile): demo generated and stored, Train enabled after another ${((usable - served) / 1000).toFixed(1)} s`);
  console.log(`npm start to usable page: ${((usable - t0) / 1000).toFixed(1)} s`);
} finally {
  await browser.close();
  process.kill(-server.pid);
}
