/** Where the shared sample files live (beside the checkout), and helpers to hand them to the importer as Files. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** `MARGIN_FIXTURES`, else the nearest `shared/fixtures` beside the checkout or above it. */
function findFixtures(): string {
  if (process.env.MARGIN_FIXTURES) return process.env.MARGIN_FIXTURES;
  for (let dir = dirname(REPO); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'fixtures');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error('the shared fixtures were not found: expected shared/fixtures beside the checkout; set MARGIN_FIXTURES to their folder');
}

export const FIXTURES = findFixtures();

export function fixtureBytes(relative: string): Buffer {
  return readFileSync(join(FIXTURES, relative));
}

export function fixtureFile(relative: string): File {
  return new File([new Uint8Array(fixtureBytes(relative))], relative.replace(/^.*\//, ''));
}

export function textFile(name: string, content: string | Uint8Array<ArrayBuffer>): File {
  return new File([content], name);
}
