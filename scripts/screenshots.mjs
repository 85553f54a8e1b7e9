// Screenshots of the studio at 1440×900 before, while and after training, for the README, and the page's height.
//
//   npm run build && node scripts/screenshots.mjs [--out docs] [--port PORT]
//
// Serves the built studio (MARGIN_DIST, default dist/), opens it in headless Chromium on SwiftShader, waits for the
// demo, applies the Quick look preset (100 steps of the demo's small student: minutes on a software adapter), and
// writes studio-before.png (the top of the page), studio-training.png and studio-after.png (the Train step) to --out.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags } from './flags.mjs';
import { launchStudio } from './studio-browser.mjs';

/** @satisfies {Record<string, import('./flags.mjs').FlagSpec>} */
const FLAGS = {
  out: { value: 'DIR', default: 'docs', help: 'the folder the PNGs are written to' },
  port: { type: 'integer', value: 'PORT', help: 'serve the studio on this port (default: a free one from 5180)' },
};

const VIEWPORT = { width: 1440, height: 900 };


async function main() {
  const args = parseFlags(FLAGS);
  const out = resolve(String(args.out));
  mkdirSync(out, { recursive: true });
  const { studio, page, close } = await launchStudio({ ...(args.port === undefined ? {} : { port: Number(args.port) }), log: () => {} });
  try {
    await page.setViewportSize(VIEWPORT);
    const height = () => page.evaluate(() => document.documentElement.scrollHeight);
    /** @param {string} name */
    const shoot = async (name) => {
      // The caret of a focused field and hover states would differ from run to run.
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(out, name) });
      console.log(`${name}: page ${await height()} px tall (${((await height()) / VIEWPORT.height).toFixed(2)} screens of ${VIEWPORT.height})`);
    };
    // The preset alone, as a person would press it: the folds stay closed.
    await studio.train.applyPreset('quick-look');
    await shoot('studio-before.png');

    await studio.train.start();
    // Past the first probes, so that both charts have something to show.
    await studio.train.waitForStep(20, 600_000);
    await studio.train.section.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shoot('studio-training.png');

    await studio.train.waitForState('done', 1_200_000);
    await studio.train.section.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shoot('studio-after.png');
  } finally {
    await close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
