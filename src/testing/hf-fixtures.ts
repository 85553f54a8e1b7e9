/**
 * Test helpers (Node only): the `hf-tiny` fixture folders as the reader takes them, their reference outputs, and
 * in-memory edits for building broken folders from the real files' bytes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readSafetensors, writeSafetensors, type NamedTensor } from '../export/safetensors';
import { FIXTURES } from './fixtures';
import { blobPart } from '../util/bytes';
import type { FolderBlob, FolderFile } from '../model/pretrained/folder';

export const HF_MODELS = ['bert-dot', 'distilbert-dot', 'bert-cross-encoder'] as const;
export type HfFixture = (typeof HF_MODELS)[number];

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** The fixture's files, paths relative to its folder; `root` puts them under a leading folder, as a folder picker does. */
export function fixtureFolder(name: HfFixture, root = ''): FolderFile[] {
  return folderFiles(join(FIXTURES, 'hf-tiny', name), root);
}

/** Any folder's files as the reader takes them (paths relative to `dir`, sorted). */
export function folderFiles(dir: string, root = ''): FolderFile[] {
  return listFiles(dir)
    .sort()
    .map((path) => ({ path: (root ? `${root}/` : '') + relative(dir, path).split('\\').join('/'), bytes: new Uint8Array(readFileSync(path)) }));
}

/** Files held in memory as the Blobs a browser's folder picker gives (what a model import reads). */
export function folderBlobs(files: readonly FolderFile[]): FolderBlob[] {
  return files.map((f) => ({ path: f.path, file: new Blob([blobPart(f.bytes)]) }));
}

export interface HfExpected {
  pairs: { qid: string; pid: string; query: string; passage: string }[];
  query_ids: number[][];
  passage_ids: number[][];
  pair_ids: number[][];
  pair_token_types: number[][];
  'bert-dot': { query_last_hidden_state_0: number[][]; query_embeddings: number[][]; passage_embeddings: number[][]; scores: number[] };
  'distilbert-dot': { query_embeddings: number[][]; passage_embeddings: number[][]; scores: number[] };
  'bert-cross-encoder': { logits: number[] };
}

export function hfExpected(): HfExpected {
  return JSON.parse(readFileSync(join(FIXTURES, 'hf-tiny', 'expected.json'), 'utf8')) as HfExpected;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function withoutFile(files: readonly FolderFile[], path: string): FolderFile[] {
  if (!files.some((f) => f.path === path)) throw new Error(`test setup: no ${path} to remove`);
  return files.filter((f) => f.path !== path);
}

export function withFile(files: readonly FolderFile[], path: string, bytes: Uint8Array | string): FolderFile[] {
  const b = typeof bytes === 'string' ? encoder.encode(bytes) : bytes;
  return [...files.filter((f) => f.path !== path), { path, bytes: b }];
}

export function fileText(files: readonly FolderFile[], path: string): string {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`test setup: no ${path}`);
  return decoder.decode(f.bytes);
}

export function editJson(files: readonly FolderFile[], path: string, edit: (json: Record<string, unknown>) => void): FolderFile[] {
  const json = JSON.parse(fileText(files, path)) as Record<string, unknown>;
  edit(json);
  return withFile(files, path, JSON.stringify(json));
}

/** Rewrites a safetensors file of the folder through `edit`, which may change, drop or add tensors. */
export function editTensors(files: readonly FolderFile[], path: string, edit: (tensors: NamedTensor[]) => NamedTensor[]): FolderFile[] {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`test setup: no ${path}`);
  const { tensors, metadata } = readSafetensors(f.bytes, path);
  return withFile(files, path, writeSafetensors(edit(tensors), metadata));
}

/** Largest absolute difference of two equally long lists. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}
