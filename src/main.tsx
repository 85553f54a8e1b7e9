import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { initDatasets } from './state/datasets';
import { recordFinishedRuns } from './state/runs';
import { refreshResumable } from './state/training';
import { installTestHooks } from './state/test-hooks';
import './ui/styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void initDatasets();
recordFinishedRuns();
void refreshResumable();
installTestHooks(location.search);
