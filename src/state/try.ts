/** "Try the student": the query a person typed and the passages the current student ranks first for it. */
import { createStore } from 'zustand/vanilla';
import type { TryResult } from '../eval/try';
import { trainerClient } from './training';
import { errorMessage } from '../util/errors';

export interface TryState {
  state: 'idle' | 'running' | 'done' | 'error';
  error: string;
  result: TryResult | null;
}

export const tryStore = createStore<TryState>()(() => ({ state: 'idle', error: '', result: null }));

export async function tryQuery(datasetId: string, query: string): Promise<void> {
  tryStore.setState({ state: 'running', error: '' });
  try {
    const result = await trainerClient().request({ type: 'try', datasetId, query });
    tryStore.setState({ state: 'done', result });
  } catch (err) {
    tryStore.setState({ state: 'error', error: errorMessage(err) });
  }
}
