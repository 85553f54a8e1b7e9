/** The handoff's README: what is in the folder, how to run it on one or many GPUs, what was and was not carried. */
import type { RunConfig } from '../config/run-config';
import type { FieldFate, TrainSettings } from './mapping';
import type { HandoffCounts, HandoffModel } from './types';

export interface ReadmeFacts {
  root: string;
  datasetName: string;
  /** How the teacher triples were made, when the studio made them (describeProvenance). */
  teacherMade?: string;
  config: RunConfig;
  settings: TrainSettings;
  fates: Record<keyof RunConfig, FieldFate>;
  approximations: readonly string[];
  counts: HandoffCounts;
  missingPassages: number;
  model: HandoffModel;
  wholeCollection: boolean;
  stepsInBrowser: number;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function handoffReadme(f: ReadmeFacts): string {
  const { config, settings } = f;
  const cls = settings.kind === 'bi-encoder' ? '`SentenceTransformer`' : '`CrossEncoder`';
  const counts = Object.entries(f.counts).map(([k, v]) => `| ${cell(k)} | ${v} |`);
  const carried = Object.entries(f.fates).map(([k, fate]) => `| \`${k}\` | ${cell(String(config[k as keyof RunConfig]))} | ${fate.carried ? cell(fate.as) : `not carried: ${cell(fate.why)}`} |`);
  const start =
    f.model.source === 'start'
      ? `the checkpoint the run began from (${f.model.name})`
      : `the student as trained in the browser (${f.model.name}, ${f.stepsInBrowser} steps), so training continues from there`;
  return [
    `# ${f.root}`,
    '',
    `A Margin Studio run handed off to PyTorch: a ${config.arch} student (${cls}) trained with ${settings.loss_class.split('.').pop()} on the teacher scores of "${f.datasetName}", starting from ${start}.`,
    '',
    ...(f.teacherMade ? [`The teacher triples were ${f.teacherMade} (\`data/teacher-provenance.json\` says the same as data).`, ''] : []),
    '## Run it',
    '',
    '```sh',
    'python -m venv .venv && . .venv/bin/activate',
    'pip install -r requirements.txt',
    'python train.py --check-data                 # reads the data with the standard library and prints its counts',
    'python train.py                              # one GPU (or the CPU)',
    'accelerate launch train.py                   # every GPU of this machine (after `accelerate config`)',
    'torchrun --nproc_per_node 4 train.py         # four GPUs',
    'python train.py --max-steps 200 --output out # fewer steps, another output folder',
    '```',
    '',
    settings.gradient_accumulation_steps > 1
      ? `The batch size (${config.batchSize}) is the global batch, trained as in the studio in ${settings.gradient_accumulation_steps} micro-batches of ${config.batchSize / settings.gradient_accumulation_steps} (gradient_accumulation_steps ${settings.gradient_accumulation_steps}): with N processes each takes ${config.batchSize} / (N × ${settings.gradient_accumulation_steps}) per forward, so N × ${settings.gradient_accumulation_steps} must divide ${config.batchSize}.`
      : `The batch size (${config.batchSize}) is the global batch: with N processes each takes ${config.batchSize} / N per step, so N must divide it.`,
    `The output folder (\`--output\`, default \`output/\`) loads with \`${settings.kind === 'bi-encoder' ? 'SentenceTransformer' : 'CrossEncoder'}("output")\`; it also holds \`trainer_state.json\` (the loss every ${settings.logging_steps} steps) and \`margin_studio.json\` (this run, the steps done, the device).`,
    '',
    '## Bring it back',
    '',
    'In the studio, **Model → import a model folder** and choose the output folder (its checkpoint-* subfolders are skipped). The model joins the library, and the run joins **Finished runs** with its loss curve from `trainer_state.json`, beside the browser runs. Choose it under **Use as the student** and **Evaluate** to put its row in the evaluation table beside the browser run\'s.',
    '',
    '## Files',
    '',
    '| file | what |',
    '|---|---|',
    '| `data/triples.tsv` | teacher scores, `pos_score<TAB>neg_score<TAB>qid<TAB>pid_pos<TAB>pid_neg` |',
    ...(f.teacherMade ? ['| `data/teacher-provenance.json` | how the studio made the teacher triples: teachers, negatives, the false-negative rule |'] : []),
    '| `data/queries.tsv` | `qid<TAB>query`: the queries of the triples, qrels and runs |',
    `| \`data/collection.tsv\` | \`pid<TAB>passage\`: ${f.wholeCollection ? 'the whole collection' : 'the passages the triples use'} |`,
    ...(f.counts.qrels !== undefined ? ['| `data/qrels.tsv` | TREC qrels `qid 0 pid grade` |'] : []),
    ...(Object.keys(f.counts).some((k) => k.startsWith('run ')) ? ['| `data/runs/*` | TREC runs `qid Q0 pid rank score tag` |'] : []),
    '| `model/` | the model folder train.py starts from (transformers / sentence-transformers layout) |',
    '| `run.json` | the settings train.py applies, the studio\'s whole run config, what was not carried |',
    '',
    '| rows | count |',
    '|---|---:|',
    ...counts,
    ...(f.missingPassages > 0 ? ['', `${f.missingPassages} passage ids named by triples are not in the dataset's collection; train.py skips those triples.`] : []),
    '',
    '## The run config, field by field',
    '',
    '| field | value | in train.py |',
    '|---|---|---|',
    ...carried,
    '',
    '## Differences that remain',
    '',
    ...f.approximations.map((a) => `- ${a}`),
    '',
  ].join('\n');
}
