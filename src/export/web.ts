/**
 * The student as a folder a web page loads with transformers.js (`@huggingface/transformers`): the ONNX models
 * (float32 and int8), the tokenizer files and a README whose few lines of JavaScript load the folder and score a
 * query against passages as the studio does. Those lines are the README's own and are run, as written, by the tests
 * (web.test.ts): a snippet in a README that does not run is worse than none.
 */
import { tokenizerFiles, type HfFile, type TrainingSummary } from './hf';
import type { HfModelDescription } from './hf-layout';
import { webModelFiles } from './onnx/web';

const encoder = new TextEncoder();

/** The longest query and passage the student was trained on, which the snippet cuts texts to. */
export interface WebLengths {
  queryLength: number;
  passageLength: number;
}

/** The query and passages the README's snippet scores (any texts would do; these show the ranking at a glance). */
export const SNIPPET_QUERY = 'how do plants make food';
export const SNIPPET_PASSAGES = ['Plants make sugar from light, water and carbon dioxide in their leaves.', 'The stock market closed higher on Friday after a quiet week.'];

/**
 * The JavaScript that scores the snippet's texts with the folder `folder` beside it, printing the scores as JSON. A
 * bi-encoder scores with the dot product of `sentence_embedding`s (query and passage each cut to its trained length);
 * a cross-encoder with its logit for the pair, cut longest-first to the pair's length. The snippet cuts the tokens
 * itself: transformers.js 4's `truncation` cuts after adding [CLS] and [SEP], so a long text would lose its [SEP].
 */
export function webSnippet(kind: HfModelDescription['kind'], folder: string, { queryLength, passageLength }: WebLengths): string {
  const head = [
    "import { AutoModel, AutoTokenizer, Tensor, env } from '@huggingface/transformers';",
    '',
    '// The folder sits beside this script; in a web page, set env.localModelPath to the URL path that holds it.',
    'env.allowRemoteModels = false;',
    "env.localModelPath = './';",
    `const folder = ${JSON.stringify(folder)};`,
    'const tokenizer = await AutoTokenizer.from_pretrained(folder);',
    "// dtype 'fp32' loads onnx/model.onnx; 'q8' loads onnx/model_quantized.onnx (a quarter of the size, scores a little off).",
    "const model = await AutoModel.from_pretrained(folder, { dtype: 'fp32' });",
    '',
    "const [cls, sep] = tokenizer.encode('');",
    'const tokens = (text) => tokenizer.encode(text, { add_special_tokens: false });',
    '/** Rows of [ids, token types] as the model\'s int64 inputs, padded with 0. */',
    'function inputs(rows) {',
    '  const length = Math.max(...rows.map(([ids]) => ids.length));',
    '  const int64 = (at) => new Tensor(\'int64\', BigInt64Array.from(rows.flatMap((row) => Array.from({ length }, (_, j) => BigInt(at(row, j))))), [rows.length, length]);',
    '  return { input_ids: int64(([ids], j) => ids[j] ?? 0), attention_mask: int64(([ids], j) => (j < ids.length ? 1 : 0)), token_type_ids: int64(([, types], j) => types[j] ?? 0) };',
    '}',
    '',
    `const query = ${JSON.stringify(SNIPPET_QUERY)};`,
    `const passages = ${JSON.stringify(SNIPPET_PASSAGES)};`,
  ];
  const body =
    kind === 'bi-encoder'
      ? [
          'const single = (text, most) => {',
          '  const ids = [cls, ...tokens(text).slice(0, most), sep];',
          '  return [ids, ids.map(() => 0)];',
          '};',
          'const embed = async (rows) => (await model(inputs(rows))).sentence_embedding.tolist();',
          `const [q] = await embed([single(query, ${queryLength})]);`,
          `const vectors = await embed(passages.map((p) => single(p, ${passageLength})));`,
          'const scores = vectors.map((v) => v.reduce((sum, x, i) => sum + x * q[i], 0));',
        ]
      : [
          '/** [CLS] q [SEP] p [SEP] cut longest-first, as the tokenizers library cuts a pair (the query counts as shorter on a tie). */',
          'function pair(q, p, most) {',
          '  let a = tokens(q);',
          '  let b = tokens(p);',
          '  if (a.length + b.length > most) {',
          '    const queryShorter = Math.min(a.length, most + 3) <= Math.min(b.length, most + 3);',
          '    const short = Math.min(queryShorter ? a.length : b.length, Math.floor(most / 2));',
          '    [a, b] = queryShorter ? [a.slice(0, short), b.slice(0, most - short)] : [a.slice(0, most - short), b.slice(0, short)];',
          '  }',
          '  const ids = [cls, ...a, sep, ...b, sep];',
          '  return [ids, ids.map((_, j) => (j < a.length + 2 ? 0 : 1))];',
          '}',
          `const logits = (await model(inputs(passages.map((p) => pair(query, p, ${queryLength + passageLength}))))).logits.tolist();`,
          'const scores = logits.map(([logit]) => logit);',
        ];
  return [...head, ...body, 'console.log(JSON.stringify(scores));', ''].join('\n');
}

function webReadme(model: HfModelDescription, folder: string, summary: TrainingSummary, lengths: WebLengths): string {
  const what = model.kind === 'bi-encoder' ? 'a bi-encoder (dot product of `sentence_embedding`s)' : "a cross-encoder (the pair's logit)";
  const base = summary.baseModel ? `from ${summary.baseModel}` : 'from random weights';
  return [
    `# ${folder}`,
    '',
    `A passage ranker, ${what}, distilled in Margin Studio ${base} with the ${summary.loss} loss over ${summary.steps} steps` +
      (summary.teacherFiles.length ? ` (teacher scores: ${summary.teacherFiles.join(', ')}).` : '.'),
    ...(summary.teacherMade ? ['', `The teacher triples were ${summary.teacherMade}.`] : []),
    '',
    '- `onnx/model.onnx`: float32, ONNX opset 17; `onnx/model_quantized.onnx`: int8 weights (dynamic quantization of the',
    '  matrix products and embeddings), transformers.js\' default on its wasm device.',
    `- \`tokenizer.json\`: lower-cased WordPiece, as the studio tokenized. Queries were cut to ${lengths.queryLength} tokens, passages to ${lengths.passageLength}` +
      (model.kind === 'cross-encoder' ? ', a pair longest-first to their sum (plus [CLS] and two [SEP]).' : ' ([CLS] and [SEP] not counted).'),
    '',
    '## Score a query against passages',
    '',
    'With `@huggingface/transformers` installed (npm), this folder beside the script, in Node or a bundled page:',
    '',
    '```js',
    webSnippet(model.kind, folder, lengths).trimEnd(),
    '```',
    '',
  ].join('\n');
}

/** The whole folder; `folder` is its name (the README's snippet loads it by that name). */
export function webFolder(model: HfModelDescription, folder: string, summary: TrainingSummary, lengths: WebLengths, options: { producerVersion?: string } = {}): HfFile[] {
  // The studio tokenizes lower-cased only (a cased checkpoint is refused at import), and the tokenizer files say so.
  if (!model.lowercase) throw new Error('cannot export: the model is cased, and the studio tokenizes lower-cased only');
  const maxLength = model.maxSeqLength ?? Math.min(model.dims.maxPositions, 512);
  return [...webModelFiles(model, options), ...tokenizerFiles(model, maxLength), { path: 'README.md', bytes: encoder.encode(webReadme(model, folder, summary, lengths)) }];
}
