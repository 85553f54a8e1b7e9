/**
 * What the charts draw with: the binning and statistics (eval/histogram.ts, which the training worker uses too),
 * and the loss curve's smoothing.
 */
export { extent, finiteRange, histogram, margins, meanStd, type Bin } from '../../eval/histogram';

/** Exponential moving average with bias correction, as TensorBoard smooths curves. */
export function smooth(values: readonly number[], weight: number): number[] {
  let avg = 0;
  let norm = 0;
  return values.map((v) => {
    avg = weight * avg + (1 - weight) * v;
    norm = weight * norm + (1 - weight);
    return avg / norm;
  });
}
