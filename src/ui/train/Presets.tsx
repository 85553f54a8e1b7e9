import { useState } from 'react';
import { configDraft, configDraftStore } from '../../state/config-draft';
import { modelsStore } from '../../state/models';
import { PRESET_DESCRIPTIONS, PRESET_LABELS, PRESETS, presetDraft, type PresetId } from '../../state/presets';
import { useRunActive } from './hooks';

/** One button per preset; the chosen one's description, and what it still needs, under them. */
export function Presets() {
  const active = useRunActive();
  const [chosen, setChosen] = useState<{ id: PresetId; needs: string } | null>(null);
  const apply = (id: PresetId) => {
    const { fields, needs } = presetDraft(id, modelsStore.getState().models, configDraftStore.getState().draft.start);
    configDraft.store.setState((s) => ({ draft: { ...s.draft, ...fields }, error: '' }));
    setChosen({ id, needs });
  };
  return (
    <div className="presets" role="group" aria-labelledby="presets-title">
      <span id="presets-title" className="presets-title">
        Presets
      </span>
      {PRESETS.map((id) => (
        <button key={id} type="button" className={chosen?.id === id ? 'secondary chosen' : 'secondary'} data-testid={`preset-${id}`} aria-pressed={chosen?.id === id} disabled={active} title={PRESET_DESCRIPTIONS[id]} onClick={() => apply(id)}>
          {PRESET_LABELS[id]}
        </button>
      ))}
      {chosen && (
        <p className="hint" data-testid="preset-note" data-preset={chosen.id} data-needs={chosen.needs === '' ? 'false' : 'true'}>
          {PRESET_DESCRIPTIONS[chosen.id]}
          {chosen.needs && <strong className="needs"> Needs {chosen.needs}.</strong>}
        </p>
      )}
    </div>
  );
}
