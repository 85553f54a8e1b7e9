/** Messages between the page and the import worker. */
import type { DatasetInfo } from './store/schema';
import type { ImportProgress } from './import.core';
import { isLayout, type Layout } from './formats/layouts';
import { requireEnvelope, ProtocolError } from '../util/rpc';
import { isTokenizerChoice, TOKENIZER_CHOICES, type TokenizerChoice } from '../text/tokenizers';

export interface ChosenFile {
  file: File;
  /** Overrides layout detection for this file. */
  layout?: Layout;
}

export type ImportRequest =
  | { id: number; type: 'load-demo'; seed: number }
  | { id: number; type: 'import-files'; files: ChosenFile[]; name?: string; threshold?: number; /** Add to this dataset instead of making a new one. */ appendTo?: string; /** How a new dataset's texts are tokenized. */ tokenizer?: TokenizerChoice }
  /** A copy of a dataset with its texts tokenized again with this WordPiece vocabulary (a pretrained model's). */
  | { id: number; type: 'retokenize'; datasetId: string; vocab: string[]; name: string }
  | { id: number; type: 'cancel' };

export type ImportResult = { dataset: DatasetInfo } | { cancelled: true };

/** What the worker's reply to each request carries: an import ends with its dataset, or cancelled. */
export interface ImportResults {
  'load-demo': ImportResult;
  'import-files': ImportResult;
  retokenize: ImportResult;
  cancel: { cancelled: true };
}

export type ImportEvent =
  | ({ type: 'progress' } & ImportProgress)
  /** Something the person should know before the import ends, e.g. that it may not fit in storage. */
  | { type: 'notice'; message: string };

const TYPES = ['load-demo', 'import-files', 'retokenize', 'cancel'] as const satisfies readonly (keyof ImportResults)[];

function parseFiles(value: unknown): ChosenFile[] {
  if (!Array.isArray(value) || value.length === 0) throw new ProtocolError('import-files needs a non-empty list of files');
  return value.map((entry: unknown, i) => {
    const f = entry as { file?: unknown; layout?: unknown } | null;
    if (typeof f !== 'object' || f === null || !(f.file instanceof Blob) || typeof (f.file as File).name !== 'string') {
      throw new ProtocolError(`import-files: entry ${i} has no file`);
    }
    if (f.layout !== undefined && !isLayout(f.layout)) throw new ProtocolError(`import-files: entry ${i} has unknown layout ${JSON.stringify(f.layout)}`);
    return f.layout === undefined ? { file: f.file as File } : { file: f.file as File, layout: f.layout };
  });
}

export function parseImportRequest(data: unknown): ImportRequest {
  const msg = requireEnvelope(data, TYPES);
  const type = msg.type as ImportRequest['type'];
  switch (type) {
    case 'load-demo':
      if (typeof msg.seed !== 'number' || !Number.isInteger(msg.seed)) throw new ProtocolError('load-demo needs an integer seed');
      return { id: msg.id, type, seed: msg.seed };
    case 'import-files': {
      const req: ImportRequest = { id: msg.id, type, files: parseFiles(msg.files) };
      if (msg.name !== undefined) {
        if (typeof msg.name !== 'string' || msg.name.trim() === '') throw new ProtocolError('import-files: name must be a non-empty string');
        req.name = msg.name;
      }
      if (msg.appendTo !== undefined) {
        if (typeof msg.appendTo !== 'string' || msg.appendTo === '') throw new ProtocolError('import-files: appendTo must be a dataset id');
        req.appendTo = msg.appendTo;
      }
      if (msg.tokenizer !== undefined) {
        if (!isTokenizerChoice(msg.tokenizer)) throw new ProtocolError(`import-files: tokenizer must be one of ${TOKENIZER_CHOICES.join(', ')}`);
        req.tokenizer = msg.tokenizer;
      }
      if (msg.threshold !== undefined) {
        if (typeof msg.threshold !== 'number' || !(msg.threshold >= 0 && msg.threshold <= 1)) throw new ProtocolError('import-files: threshold must be a share between 0 and 1');
        req.threshold = msg.threshold;
      }
      return req;
    }
    case 'retokenize': {
      if (typeof msg.datasetId !== 'string' || msg.datasetId === '') throw new ProtocolError('retokenize needs a datasetId');
      if (!Array.isArray(msg.vocab) || msg.vocab.length === 0 || !msg.vocab.every((t) => typeof t === 'string')) throw new ProtocolError('retokenize needs the vocabulary, a list of tokens');
      if (typeof msg.name !== 'string' || msg.name.trim() === '') throw new ProtocolError('retokenize needs a name for the new dataset');
      return { id: msg.id, type, datasetId: msg.datasetId, vocab: msg.vocab as string[], name: msg.name };
    }
    case 'cancel':
      return { id: msg.id, type };
    default: {
      const unreachable: never = type;
      throw new ProtocolError(`unhandled message type ${String(unreachable)}`);
    }
  }
}
