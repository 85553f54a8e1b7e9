/**
 * The kernel choices by name. No tfjs here: the page's config form lists them without loading the model layer.
 * `fused`: the studio's WGSL programs where WebGPU runs; `stock`: tfjs's own ops everywhere (./set.ts).
 */
export const KERNEL_CHOICES = ['fused', 'stock'] as const;
export type KernelChoice = (typeof KERNEL_CHOICES)[number];

export function isKernelChoice(value: unknown): value is KernelChoice {
  return typeof value === 'string' && (KERNEL_CHOICES as readonly string[]).includes(value);
}
