import { Fragment, useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { datasetStore, removeDataset, refreshStorage } from '../../state/datasets';
import { fmt } from '../format';
import { trainingStore } from '../../state/training';
import { totalBytes } from '../../data/rows/file-kinds';
import { partAttributes, PartsBar, PartsLegend } from './StorageParts';
import { errorMessage } from '../../util/errors';

function mb(bytes: number): string {
  return `${fmt(bytes / 1e6)} MB`;
}

/**
 * Datasets with their size on disk, what it is made of, and the browser's quota; deleting takes two clicks. Each
 * `storage-row` carries its bytes as `data-bytes` (IndexedDB), `data-training-bytes` (training files) and one
 * attribute per part (see `partAttributes`).
 */
export function StoragePanel() {
  const datasets = useStore(datasetStore, (s) => s.datasets);
  const storage = useStore(datasetStore, (s) => s.storage);
  const importing = useStore(datasetStore, (s) => s.importState === 'running');
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState('');
  // A first run writes the dataset's training files: show them once it is under way.
  const training = useStore(trainingStore, (s) => s.state);
  useEffect(() => {
    if (training === 'running' || training === 'done') void refreshStorage();
  }, [training]);
  return (
    <section className="panel" aria-labelledby="storage-title" data-testid="storage-panel">
      <h2 id="storage-title">Storage</h2>
      {storage && (
        <p className="hint" data-testid="storage-usage" data-usage={storage.usage} data-quota={storage.quota}>
          This page uses {mb(storage.usage)} of the {mb(storage.quota)} the browser allows it{storage.persisted ? '; storage is persistent' : '; the browser may evict it under disk pressure'}.{' '}
          <button className="link" onClick={() => void refreshStorage()}>
            refresh
          </button>
        </p>
      )}
      <table className="data-table wide">
        <thead>
          <tr>
            <th>dataset</th>
            <th>rows</th>
            <th title="IndexedDB: the texts, their token ids, the triples, qrels and runs, as imported">stored tables</th>
            <th title="the Origin Private File System: fixed-width token rows, triple records and id indexes, written on the first Train">training files</th>
            <th>
              <span className="visually-hidden">actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {datasets.map((d) => {
            const files = storage?.trainingFiles[d.id];
            const training = files ? totalBytes(files) : 0;
            return (
              <Fragment key={d.id}>
                <tr data-testid="storage-row" data-dataset={d.id} data-bytes={d.bytes} data-training-bytes={training} {...partAttributes(d, files)}>
                  <td>
                    {d.name}
                    <div className="hint">{new Date(d.createdAt).toLocaleString()}</div>
                  </td>
                  <td>{Object.values(d.counts).reduce((a, b) => a + b, 0)}</td>
                  <td>{mb(d.bytes)}</td>
                  <td>{training > 0 ? mb(training) : '–'}</td>
                  <td>
                    {confirming === d.id ? (
                      <button
                        className="danger"
                        data-testid="storage-delete-confirm"
                        disabled={importing}
                        onClick={() => {
                          setConfirming(null);
                          removeDataset(d.id).catch((err: unknown) => setError(`could not delete ${d.name}: ${errorMessage(err)}`));
                        }}
                      >
                        Delete for good
                      </button>
                    ) : (
                      <button className="secondary" data-testid="storage-delete" disabled={importing} onClick={() => setConfirming(d.id)}>
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
                <tr className="parts-row">
                  <td colSpan={5}>
                    <PartsBar dataset={d} files={files} />
                  </td>
                </tr>
              </Fragment>
            );
          })}
        </tbody>
      </table>
      <PartsLegend datasets={datasets} files={storage?.trainingFiles} />
      {error && <p className="error">{error}</p>}
    </section>
  );
}
