/**
 * Dense search over passage vectors held in memory: the reference the vector file's search (searchFileOnDevice) is
 * tested against, with the same device top-k per chunk. No product code imports this module.
 */
import { deviceChunkTopK, SEARCH_CHUNK } from './retrieval';
import { searchVectors, vectorsInMemory, type Hits } from './vector-search';

/** Exact top-k passage rows by dot product for each query vector; best first. */
export async function searchTopK(queries: Float32Array, passages: Float32Array, hidden: number, k: number): Promise<Hits[]> {
  const device = deviceChunkTopK();
  try {
    return await searchVectors(vectorsInMemory(passages, hidden), queries, k, device.topK, SEARCH_CHUNK);
  } finally {
    device.dispose();
  }
}
