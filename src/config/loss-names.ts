/** The losses by name, without tfjs, so the page can list them without loading it. */
export const LOSSES = ['margin-mse', 'mse', 'weighted-ranknet', 'ranknet'] as const;
export type LossName = (typeof LOSSES)[number];

export const LOSS_LABELS: Record<LossName, string> = {
  'margin-mse': 'Margin-MSE',
  mse: 'MSE on raw teacher scores',
  'weighted-ranknet': 'weighted RankNet',
  ranknet: 'RankNet (no teacher)',
};
