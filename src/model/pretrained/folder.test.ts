import { describe, expect, it } from 'vitest';
import { weightSpecs } from '../../export/hf-layout';
import { readSafetensors, writeSafetensors, type NamedTensor } from '../../export/safetensors';
import { folderPaths, readPretrainedFolder, type FolderFile } from './folder';
import { editJson, editTensors, fileText, fixtureFolder, withFile, withoutFile } from '../../testing/hf-fixtures';

const read = (files: FolderFile[]) => () => readPretrainedFolder(files);

/** The tensor names and shapes of one of the fixture's safetensors files, straight from its header. */
function storedShapes(files: FolderFile[], path = 'model.safetensors'): [string, number[]][] {
  const f = files.find((x) => x.path === path) as FolderFile;
  return readSafetensors(f.bytes).tensors.map((t) => [t.name, t.shape]);
}

describe('reading the hf-tiny folders', () => {
  it('describes bert-dot: a BertModel bi-encoder with mean pooling from 1_Pooling, every stored weight kept', () => {
    const files = fixtureFolder('bert-dot');
    const m = readPretrainedFolder(files);
    expect(m).toMatchObject({ type: 'bert', kind: 'bi-encoder', architecture: 'BertModel', pooling: 'mean', dense: null, normalize: false, lowercase: true, maxSeqLength: 48, fromSentenceTransformers: true, storedAs: 'F32' });
    expect(m.dims).toEqual({ layers: 2, hidden: 32, heads: 4, ffn: 64, vocabSize: 2500, maxPositions: 128, typeVocabSize: 2, layerNormEps: 1e-12 });
    expect(m.vocab).toHaveLength(2500);
    expect(m.vocab.slice(12, 14)).toEqual(['[CLS]', '[SEP]']);
    // Every tensor of the file is a weight of the model, under the same name (BertModel's names are canonical).
    expect([...m.weights].map(([n, w]) => [n, w.shape]).sort()).toEqual(storedShapes(files).sort());
    expect(m.ignoredTensors).toEqual([]);
    const stored = readSafetensors((files.find((f) => f.path === 'model.safetensors') as FolderFile).bytes).tensors;
    const q = stored.find((t) => t.name === 'encoder.layer.1.attention.self.query.weight') as NamedTensor;
    expect(Array.from(m.weights.get(q.name)!.data)).toEqual(Array.from(q.data));
  });

  it('describes distilbert-dot: a DistilBertModel with [CLS] pooling by default and no token types', () => {
    const m = readPretrainedFolder(fixtureFolder('distilbert-dot'));
    expect(m).toMatchObject({ type: 'distilbert', kind: 'bi-encoder', architecture: 'DistilBertModel', pooling: 'cls', fromSentenceTransformers: false, maxSeqLength: null });
    expect(m.dims).toEqual({ layers: 2, hidden: 32, heads: 4, ffn: 64, vocabSize: 2500, maxPositions: 128, typeVocabSize: 0, layerNormEps: 1e-12 });
    expect(m.weights.size).toBe(4 + 2 * 16);
    expect(m.weights.get('transformer.layer.1.ffn.lin1.weight')?.shape).toEqual([64, 32]);
  });

  it('describes bert-cross-encoder: the bert. prefix taken off, the classifier kept under its own name', () => {
    const files = fixtureFolder('bert-cross-encoder');
    const m = readPretrainedFolder(files);
    expect(m).toMatchObject({ type: 'bert', kind: 'cross-encoder', architecture: 'BertForSequenceClassification' });
    expect(m.weights.get('classifier.weight')?.shape).toEqual([1, 32]);
    expect(m.weights.get('pooler.dense.weight')?.shape).toEqual([32, 32]);
    expect([...m.weights.keys()].sort()).toEqual(storedShapes(files).map(([n]) => n.replace(/^bert\./, '')).sort());
  });

  it('takes off a leading folder shared by every path, as a folder picker gives them', () => {
    const m = readPretrainedFolder(fixtureFolder('bert-dot', 'mymodel'));
    expect(m.pooling).toBe('mean');
    expect(folderPaths([{ path: 'a/config.json', bytes: new Uint8Array() }, { path: 'a/b/c.json', bytes: new Uint8Array() }]).map((f) => f.path)).toEqual(['config.json', 'b/c.json']);
    expect(folderPaths([{ path: './config.json', bytes: new Uint8Array() }, { path: '1_Pooling\\config.json', bytes: new Uint8Array() }]).map((f) => f.path)).toEqual(['config.json', '1_Pooling/config.json']);
    const zipped = [...fixtureFolder('bert-dot', 'mymodel'), { path: '__MACOSX/mymodel/._config.json', bytes: new Uint8Array(3) }, { path: 'mymodel/.DS_Store', bytes: new Uint8Array(3) }];
    expect(readPretrainedFolder(zipped).pooling).toBe('mean');
  });

  it('finds the Transformer module where modules.json puts it (older sentence-transformers used 0_Transformer/)', () => {
    const moved = fixtureFolder('bert-dot').map((f) => (f.path.includes('/') || f.path.startsWith('modules') || f.path.startsWith('sentence_bert') ? f : { ...f, path: `0_Transformer/${f.path}` }));
    const files = editJson(moved, 'modules.json', (m) => ((m as unknown as { path: string }[])[0]!.path = '0_Transformer'));
    expect(files.some((f) => f.path === 'config.json')).toBe(false);
    const m = readPretrainedFolder(files);
    expect(m).toMatchObject({ type: 'bert', pooling: 'mean', maxSeqLength: 48 });
    expect(m.weights.size).toBe(39);
  });

  it('reads old TensorFlow-style LayerNorm.gamma / beta names as weight / bias', () => {
    const files = editTensors(fixtureFolder('bert-dot'), 'model.safetensors', (ts) => ts.map((t) => ({ ...t, name: t.name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta') })));
    expect(fileText(files, 'model.safetensors')).toContain('LayerNorm.gamma');
    expect(readPretrainedFolder(files).weights.get('embeddings.LayerNorm.weight')?.shape).toEqual([32]);
  });

  it('starts a bi-encoder from a masked-LM checkpoint, listing the heads it leaves out', () => {
    let files = editJson(fixtureFolder('bert-cross-encoder'), 'config.json', (c) => (c.architectures = ['BertForMaskedLM']));
    files = editTensors(files, 'model.safetensors', (ts) => [...ts.filter((t) => !t.name.startsWith('classifier.')), { name: 'cls.predictions.bias', dtype: 'F32', shape: [2500], data: new Float32Array(2500) }]);
    const m = readPretrainedFolder(files);
    expect(m.kind).toBe('bi-encoder');
    expect(m.ignoredTensors).toEqual(['cls.predictions.bias']);
  });

  it('reads a Dense projection and a Normalize module from modules.json', () => {
    const dense = writeSafetensors([
      { name: 'linear.weight', dtype: 'F32', shape: [8, 32], data: Float32Array.from({ length: 256 }, (_, i) => i / 256) },
      { name: 'linear.bias', dtype: 'F32', shape: [8], data: new Float32Array(8).fill(0.5) },
    ]);
    let files = withFile(fixtureFolder('bert-dot'), '2_Dense/model.safetensors', dense);
    files = withFile(files, '2_Dense/config.json', JSON.stringify({ in_features: 32, out_features: 8, bias: true, activation_function: 'torch.nn.modules.linear.Identity' }));
    const modules = JSON.parse(fileText(files, 'modules.json')) as object[];
    modules.push({ idx: 2, name: '2', path: '2_Dense', type: 'sentence_transformers.models.Dense' }, { idx: 3, name: '3', path: '3_Normalize', type: 'sentence_transformers.models.Normalize' });
    files = withFile(files, 'modules.json', JSON.stringify(modules));
    const m = readPretrainedFolder(files);
    expect(m.dense?.weight.shape).toEqual([8, 32]);
    expect(m.dense?.weight.data[255]).toBe(255 / 256);
    expect(m.dense?.bias?.data[0]).toBe(0.5);
    expect(m.normalize).toBe(true);

    const tanh = editJson(files, '2_Dense/config.json', (c) => (c.activation_function = 'torch.nn.modules.activation.Tanh'));
    expect(read(tanh)).toThrow('2_Dense/config.json: activation_function "torch.nn.modules.activation.Tanh" is not supported: only torch.nn.modules.linear.Identity');
    expect(read(editJson(files, '2_Dense/config.json', (c) => delete c.activation_function))).toThrow('activation_function "missing (tanh by default)" is not supported');
    const wrongShape = editTensors(files, '2_Dense/model.safetensors', (ts) => ts.map((t) => (t.name === 'linear.weight' ? { ...t, shape: [32, 8] } : t)));
    expect(read(wrongShape)).toThrow('2_Dense/model.safetensors: tensor linear.weight has shape [32, 8], expected [8, 32]');
    const pickled = withFile(withoutFile(files, '2_Dense/model.safetensors'), '2_Dense/pytorch_model.bin', new Uint8Array(4));
    expect(read(pickled)).toThrow('2_Dense/pytorch_model.bin: PyTorch pickles cannot be read here; save the model with safetensors first');
  });
});

describe('refusing folders the studio cannot compute exactly', () => {
  const bert = fixtureFolder('bert-dot');

  it('another model_type, naming it and the supported ones', () => {
    expect(read(editJson(bert, 'config.json', (c) => (c.model_type = 'roberta')))).toThrow('config.json: model_type "roberta" is not supported (supported: bert, distilbert)');
  });

  it('an architecture it does not compute, and a cross-encoder with more than one label', () => {
    expect(read(editJson(bert, 'config.json', (c) => (c.architectures = ['BertForQuestionAnswering'])))).toThrow('config.json: architecture BertForQuestionAnswering is not supported for model_type bert (supported: BertModel, BertForMaskedLM, BertForPreTraining, BertForSequenceClassification)');
    const cross = fixtureFolder('bert-cross-encoder');
    expect(read(editJson(cross, 'config.json', (c) => (c.id2label = { 0: 'no', 1: 'yes' })))).toThrow('config.json: BertForSequenceClassification has 2 labels; a cross-encoder here gives one relevance logit (num_labels 1)');
    // With neither id2label nor num_labels, transformers' default of two labels applies.
    expect(read(editJson(cross, 'config.json', (c) => delete c.id2label))).toThrow('has 2 labels');
    expect(readPretrainedFolder(editJson(cross, 'config.json', (c) => ((c.num_labels = 1), delete c.id2label))).kind).toBe('cross-encoder');
  });

  it('only pytorch_model.bin, saying to convert it to safetensors and how', () => {
    const files = withFile(withoutFile(bert, 'model.safetensors'), 'pytorch_model.bin', new Uint8Array(16));
    expect(read(files)).toThrow('pytorch_model.bin: the weights are only in this format, which the browser cannot read; convert it to safetensors first, e.g. in Python: from transformers import AutoModel; AutoModel.from_pretrained(dir).save_pretrained(dir, safe_serialization=True)');
    expect(read(withoutFile(bert, 'model.safetensors'))).toThrow('model.safetensors: missing: the folder has no model weights');
  });

  it('no config.json, no vocab.txt', () => {
    expect(read(withoutFile(bert, 'config.json'))).toThrow('config.json: missing: a Hugging Face model folder keeps its sizes in config.json');
    expect(read(withoutFile(fixtureFolder('distilbert-dot'), 'config.json'))).toThrow('config.json: missing');
    expect(read(withoutFile(bert, 'vocab.txt'))).toThrow('vocab.txt: missing (and no tokenizer.json): the WordPiece vocabulary is needed');
  });

  it('a missing tensor, naming it and its expected shape', () => {
    const files = editTensors(bert, 'model.safetensors', (ts) => ts.filter((t) => t.name !== 'encoder.layer.1.output.dense.weight'));
    expect(read(files)).toThrow('model.safetensors: tensor encoder.layer.1.output.dense.weight is missing (expected shape [32, 64])');
    const cross = editTensors(fixtureFolder('bert-cross-encoder'), 'model.safetensors', (ts) => ts.filter((t) => t.name !== 'classifier.bias'));
    expect(read(cross)).toThrow('model.safetensors: tensor classifier.bias is missing (expected shape [1])');
  });

  it('a mis-shaped tensor, naming it with the expected and the found shape', () => {
    const files = editTensors(bert, 'model.safetensors', (ts) => ts.map((t) => (t.name === 'encoder.layer.0.intermediate.dense.weight' ? { ...t, shape: [32, 64] } : t)));
    expect(read(files)).toThrow('model.safetensors: tensor encoder.layer.0.intermediate.dense.weight has shape [32, 64], expected [64, 32] from config.json');
    const cross = editTensors(fixtureFolder('bert-cross-encoder'), 'model.safetensors', (ts) => ts.map((t) => (t.name === 'bert.pooler.dense.bias' ? { ...t, shape: [2, 16] } : t)));
    expect(read(cross)).toThrow('tensor bert.pooler.dense.bias has shape [2, 16], expected [32]');
  });

  it('a vocabulary whose size is not the embedding table rows', () => {
    const lines = fileText(bert, 'vocab.txt').split('\n').slice(0, 2400).join('\n') + '\n';
    expect(read(withFile(bert, 'vocab.txt', lines))).toThrow('vocab.txt: 2400 tokens, but embeddings.word_embeddings.weight in model.safetensors has 2500 rows');
  });

  it('a hidden size that the heads do not divide', () => {
    expect(read(editJson(bert, 'config.json', (c) => (c.num_attention_heads = 5)))).toThrow('config.json: hidden_size 32 is not divisible by num_attention_heads 5');
    expect(read(editJson(fixtureFolder('distilbert-dot'), 'config.json', (c) => (c.n_heads = 3)))).toThrow('config.json: dim 32 is not divisible by n_heads 3');
  });

  it('an activation other than exact GELU, and relative position embeddings', () => {
    expect(read(editJson(bert, 'config.json', (c) => (c.hidden_act = 'gelu_new')))).toThrow('config.json: hidden_act "gelu_new" is not supported: the encoder computes exact (erf) GELU, hidden_act "gelu"');
    expect(read(editJson(fixtureFolder('distilbert-dot'), 'config.json', (c) => (c.activation = 'relu')))).toThrow('config.json: activation "relu" is not supported');
    expect(read(editJson(bert, 'config.json', (c) => (c.position_embedding_type = 'relative_key')))).toThrow('config.json: position_embedding_type "relative_key" is not supported');
  });

  it('pooling other than [CLS] or mean, and a broken JSON file', () => {
    const max = editJson(bert, '1_Pooling/config.json', (c) => ((c.pooling_mode_mean_tokens = false), (c.pooling_mode_max_tokens = true)));
    expect(read(max)).toThrow('1_Pooling/config.json: pooling max_tokens is not supported (cls_token or mean_tokens)');
    const both = editJson(bert, '1_Pooling/config.json', (c) => (c.pooling_mode_cls_token = true));
    expect(read(both)).toThrow('1_Pooling/config.json: exactly one pooling mode must be on, found cls_token + mean_tokens');
    expect(read(withFile(bert, 'config.json', '{"model_type": "bert",'))).toThrow(/^config\.json: not valid JSON/);
  });

  it('a sentence-transformers module it does not compute', () => {
    const modules = JSON.parse(fileText(bert, 'modules.json')) as object[];
    modules.push({ idx: 2, name: '2', path: '2_LayerNorm', type: 'sentence_transformers.models.LayerNorm' });
    expect(read(withFile(bert, 'modules.json', JSON.stringify(modules)))).toThrow('modules.json: module 2 (sentence_transformers.models.LayerNorm) is not supported');
  });

  it('a max_seq_length over the position table', () => {
    expect(read(editJson(bert, 'sentence_bert_config.json', (c) => (c.max_seq_length = 512)))).toThrow("sentence_bert_config.json: max_seq_length 512 is over the model's 128 positions");
  });
});

describe('the layout table', () => {
  it('lists exactly the tensors of each fixture checkpoint, shapes included', () => {
    for (const name of ['bert-dot', 'distilbert-dot', 'bert-cross-encoder'] as const) {
      const m = readPretrainedFolder(fixtureFolder(name));
      const specs = weightSpecs(m.type, m.kind, m.dims).map((s) => [s.name, s.shape]);
      expect(specs.sort(), name).toEqual([...m.weights].map(([n, w]) => [n, w.shape]).sort());
    }
  });
});
