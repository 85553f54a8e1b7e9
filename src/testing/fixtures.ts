/** Where the shared sample files live (beside the checkout), and helpers to hand them to the importer as Files. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const FIXTURES = process.env.MARGIN_FIXTURES ?? fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));

export function fixtureBytes(relative: string): Buffer {
  return readFileSync(join(FIXTURES, relative));
}

export function fixtureFile(relative: string): File {
  return new File([new Uint8Array(fixtureBytes(relative))], relative.replace(/^.*\//, ''));
}

export function textFile(name: string, content: string | Uint8Array<ArrayBuffer>): File {
  return new File([content], name);
}
