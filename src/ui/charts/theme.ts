/**
 * The charts' colours, in one place: a series keeps its colour from chart to chart (the teacher is amber and the
 * student blue wherever both are drawn), and the frame (grid, axes, tooltip) matches the page's dark background.
 */

/** What a series stands for, and its colour. */
export const SERIES = {
  teacher: '#f5a524',
  student: '#4ea1ff',
  /** The loss of each step, drawn thin under its smoothed curve. */
  lossRaw: '#5b6b85',
  lossSmoothed: '#f5a524',
  mrr10: '#4ea1ff',
  ndcg10: '#3ecf8e',
  pearson: '#f5a524',
  kendall: '#3ecf8e',
  /** The teacher's scores of positives and of negatives, and their margins (the dataset's histograms). */
  positive: '#3ecf8e',
  negative: '#f25f5c',
  margin: '#f5a524',
} as const;

/** Bars of two series drawn over each other (teacher and student margins) let the one behind show through. */
export const OVERLAP_OPACITY = 0.55;
export const SCATTER_OPACITY = 0.6;

/** The frame every chart shares. */
export const FRAME = {
  grid: '#2d3340',
  axis: '#9aa4b2',
  /** The page's background and text, which a chart saved as a file carries with it (save.ts). */
  background: '#11151c',
  text: '#c9d1dc',
} as const;

export const GRID_DASH = '3 3';
export const TOOLTIP_STYLE = { background: '#151922', border: `1px solid ${FRAME.grid}` } as const;

/**
 * Tick labels at fixed intervals: recharts' default ('preserveEnd') measures every label in the DOM to avoid
 * overlaps, a forced layout per new label, and a histogram's labels are new at every probe. A number axis gets about
 * five ticks, which never crowd; a histogram's bin axis labels about five of its bins.
 */
export const NUMBER_TICKS = { interval: 0 } as const;
export function binTicks(bins: number): { interval: number } {
  return { interval: Math.max(0, Math.ceil(bins / 5) - 1) };
}
