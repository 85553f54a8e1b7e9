/**
 * The model files of a transformers.js folder: `config.json`, `onnx/model.onnx` (float32) and
 * `onnx/model_quantized.onnx` (int8, transformers.js' default dtype on its wasm device), and for a bi-encoder
 * sentence-transformers' `1_Pooling/config.json` saying which pooling `sentence_embedding` already applies.
 * The tokenizer files and the zip are written elsewhere; a student with no such model is refused before this
 * (train/hf-export.ts), since only the student knows what it is.
 */
import { modelConfig, poolingConfig, type HfFile } from '../hf';
import type { HfModelDescription } from '../hf-layout';
import { onnxModel } from './bert';

const encoder = new TextEncoder();
const json = (path: string, value: unknown): HfFile => ({ path, bytes: encoder.encode(JSON.stringify(value, null, 2) + '\n') });

export interface WebModelOptions {
  /** Written into the ONNX files' producer_version (the studio's version). */
  producerVersion?: string;
}

export function webModelFiles(model: HfModelDescription, { producerVersion = '0' }: WebModelOptions = {}): HfFile[] {
  if (model.vocab.length !== model.dims.vocabSize) throw new Error(`cannot export: the vocabulary has ${model.vocab.length} tokens, the model ${model.dims.vocabSize} embeddings`);
  const files: HfFile[] = [
    json('config.json', modelConfig(model)),
    { path: 'onnx/model.onnx', bytes: onnxModel(model, { producerVersion }) },
    { path: 'onnx/model_quantized.onnx', bytes: onnxModel(model, { int8: true, producerVersion }) },
  ];
  if (model.kind === 'bi-encoder') files.push(json('1_Pooling/config.json', poolingConfig(model)));
  return files;
}
