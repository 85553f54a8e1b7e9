import { useState } from 'react';
import { useStore } from 'zustand';
import { configDraft, configDraftStore, shareUrlOf } from '../../state/config-draft';

/** "Share this config": an address carrying the whole config, copied to the clipboard where the browser allows. */
export function ShareConfig() {
  const [url, setUrl] = useState('');
  const share = () => {
    const config = configDraft.commit();
    if (!config) return;
    const address = shareUrlOf(config);
    setUrl(address);
    void navigator.clipboard?.writeText(address).catch(() => undefined);
  };
  return (
    <div className="row">
      <button className="secondary" data-testid="config-share" onClick={share}>
        Share this config
      </button>
      {url && <input className="share-url" readOnly data-testid="config-share-url" value={url} onFocus={(e) => e.target.select()} aria-label="address of this run config" />}
    </div>
  );
}

/** Why the config (or the address it came from) is not valid, or why a grid could not start. */
export function ConfigError() {
  const error = useStore(configDraftStore, (s) => s.error);
  if (!error) return null;
  return (
    <p className="error" role="alert" data-testid="config-error">
      {error}
    </p>
  );
}
