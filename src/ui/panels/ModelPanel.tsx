import { useEffect } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { importModelFiles, modelsStore, refreshModels, removeModel, loadModelAsStudent, type ModelInfo } from '../../state/models';
import { configDraft, configDraftStore, parseDraft } from '../../state/config-draft';
import type { RunConfig } from '../../config/run-config';
import { currentDataset, useActiveDatasetId, useRunActive } from '../train/hooks';
import { activeDataset, datasetStore, retokenizeForModel } from '../../state/datasets';
import { fineTuningSettings, fromScratchSettings, SCRATCH } from '../../train/models';
import { fmt } from '../format';

function ModelSummary({ model }: { model: ModelInfo }) {
  const d = model.dims;
  return (
    <dl
      className="summary"
      data-testid="model-summary"
      data-type={model.type}
      data-layers={d.layers}
      data-hidden={d.hidden}
      data-heads={d.heads}
      data-vocab={d.vocabSize}
      data-params={model.parameters}
      data-pooling={model.kind === 'cross-encoder' ? '' : model.pooling}
      data-kind={model.kind}
    >
      <dt>Model</dt>
      <dd>
        {model.name} ({model.architecture}, {model.kind})
      </dd>
      <dt>Sizes</dt>
      <dd>
        {d.layers} layers · hidden {d.hidden} · {d.heads} heads · feed-forward {d.ffn} · {d.maxPositions} positions
      </dd>
      <dt>Parameters</dt>
      <dd>{model.parameters.toLocaleString('en')}</dd>
      <dt>Vocabulary</dt>
      <dd>
        {d.vocabSize.toLocaleString('en')} WordPiece tokens{model.lowercase ? ', lower-cased' : ''}
      </dd>
      {model.kind === 'bi-encoder' && (
        <>
          <dt>Pooling</dt>
          <dd>
            {model.pooling === 'cls' ? '[CLS] vector' : 'mean of tokens'}
            {model.denseOut ? `, Dense to ${model.denseOut}` : ''}
            {model.normalize ? ', normalised' : ''}
          </dd>
        </>
      )}
      <dt>Stored</dt>
      <dd>
        {fmt(model.bytes / 1e6)} MB (from {model.storedAs})
      </dd>
    </dl>
  );
}

/** The active dataset's tokens against the chosen model's vocabulary, with the way to make them match. */
function TokenizerMatch({ model }: { model: ModelInfo }) {
  const dataset = useStore(datasetStore, (s) => activeDataset(s));
  const importing = useStore(datasetStore, (s) => s.importState === 'running');
  if (!dataset) return null;
  if (dataset.tokenizer === model.tokenizer) {
    return (
      <p className="hint" data-testid="model-tokens" data-match="true">
        The dataset “{dataset.name}” is tokenized with this model’s vocabulary.
      </p>
    );
  }
  return (
    <p className="warning" data-testid="model-tokens" data-match="false">
      The dataset “{dataset.name}” holds {dataset.tokenizer} tokens; the model reads its own vocabulary.{' '}
      <button data-testid="model-tokenize" disabled={importing} onClick={() => void retokenizeForModel(dataset, model)}>
        Tokenize for this model
      </button>{' '}
      (a copy of the dataset with the model’s token ids; the progress shows under Data)
    </p>
  );
}

/** Pretrained checkpoints: import a Hugging Face folder, keep a library of them, and start a run from one. */
/** A library model as the student, with the lengths and device settings of the run form (defaults if it is invalid). */
function chooseAsStudent(modelId: string): void {
  const dataset = currentDataset();
  if (!dataset) return;
  let settings: Partial<RunConfig> = {};
  try {
    const c = parseDraft(configDraftStore.getState().draft);
    settings = { queryLength: c.queryLength, passageLength: c.passageLength, batchSize: c.batchSize, backend: c.backend, kernels: c.kernels, seed: c.seed, probeSize: c.probeSize };
  } catch {
    // The form does not parse: the model's own defaults.
  }
  void loadModelAsStudent(dataset.id, modelId, settings);
}

export function ModelPanel() {
  useEffect(() => void refreshModels(), []);
  const { models, importState, importError, imported, importedRun } = useStore(
    modelsStore,
    useShallow((s) => ({ models: s.models, importState: s.importState, importError: s.importError, imported: s.imported, importedRun: s.importedRun })),
  );
  const hasDataset = useActiveDatasetId() !== undefined;
  const runBusy = useRunActive();
  const start = useStore(configDraftStore, (s) => s.draft.start ?? SCRATCH);
  const chosen = models.find((m) => m.id === start) ?? null;
  const shown = chosen ?? (importState === 'done' ? imported : null);
  const choose = (id: string) => {
    const model = models.find((m) => m.id === id);
    const steps = Number(configDraftStore.getState().draft.steps) || 1000;
    configDraft.setFields(model ? fineTuningSettings(model, { steps }) : fromScratchSettings());
  };
  return (
    <section className="panel step" id="step-start" aria-labelledby="model-title">
      <h2 id="model-title">
        <span className="step-number">2</span> Start from
      </h2>
      <div className="row">
        <label className="field grow">
          Student starts from
          <select data-testid="model-select" value={chosen ? chosen.id : SCRATCH} onChange={(e) => choose(e.target.value)}>
            <option value={SCRATCH}>scratch (random weights)</option>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} ({m.type}, {m.kind})
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="row">
        <label className={`button-like secondary${importState === 'running' ? ' disabled' : ''}`}>
          Import a model folder…
          {/* A folder as transformers / sentence-transformers save it; its subfolders (1_Pooling, 2_Dense) keep their paths. */}
          <input
            type="file"
            multiple
            data-testid="import-model"
            className="visually-hidden"
            disabled={importState === 'running'}
            ref={(el) => el?.setAttribute('webkitdirectory', '')}
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              void importModelFiles(files);
            }}
          />
        </label>
        <label className={`button-like secondary${importState === 'running' ? ' disabled' : ''}`}>
          …or its files
          <input
            type="file"
            multiple
            data-testid="import-model-files"
            className="visually-hidden"
            disabled={importState === 'running'}
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              void importModelFiles(files);
            }}
          />
        </label>
        <span className={`badge state-${importState}`} data-testid="model-status" data-state={importState}>
          {importState === 'running' ? 'reading the folder…' : importState}
        </span>
      </div>
      <p className="hint">
        config.json, model.safetensors and vocab.txt (BERT or DistilBERT; sentence-transformers pooling and Dense are read when present). A model saved as
        pytorch_model.bin must be converted to safetensors first.
      </p>
      {importState === 'error' && (
        <p className="error" role="alert" data-testid="model-error">
          {importError}
        </p>
      )}
      {importState === 'done' && importedRun && (
        <p className="hint" data-testid="model-run-note" data-steps={importedRun.steps}>
          The folder is a handoff&rsquo;s output: its PyTorch run ({importedRun.steps} steps on {importedRun.device}) joined Finished runs with its loss curve. Use it
          as the student below to evaluate it beside the browser run.
        </p>
      )}
      {shown && <ModelSummary model={shown} />}
      {chosen && <TokenizerMatch model={chosen} />}
      {chosen && (
        <p className="hint" data-testid="fine-tuning-note">
          Fine-tuning settings applied for a pretrained start (learning rate, warm-up, decay, clipping, pooling; under Train, Advanced settings); the paper’s students were
          fine-tuned at learning rates around 7e-6.
        </p>
      )}
      {models.length > 0 && (
        <details className="model-library">
          <summary>Model library ({models.length})</summary>
          <ul>
            {models.map((m) => (
              <li key={m.id} data-testid="model-entry" data-model-id={m.id}>
                {m.name} · {m.type} · {m.dims.layers}×{m.dims.hidden} · {fmt(m.bytes / 1e6)} MB{' '}
                <button
                  className="secondary"
                  data-testid="model-use"
                  disabled={!hasDataset || runBusy}
                  title="make this model the student as it is (no training), to evaluate or try it beside trained students"
                  onClick={() => chooseAsStudent(m.id)}
                >
                  Use as the student
                </button>{' '}
                <button className="secondary" data-testid="model-delete" onClick={() => void removeModel(m.id)} disabled={m.id === start}>
                  Delete
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
