/**
 * Whether a WebGPU adapter is a real GPU or a software rasteriser. tfjs reports `webgpu` either way, yet on
 * SwiftShader a default training step takes seconds instead of milliseconds; the page says which it is.
 */

/** What the browser tells about an adapter (`GPUAdapterInfo` plus `isFallbackAdapter`), all optional. */
export interface AdapterFacts {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** `GPUAdapter.isFallbackAdapter` (older browsers) or `GPUAdapterInfo.isFallbackAdapter` (newer ones). */
  isFallbackAdapter?: boolean;
}

export interface AdapterKind {
  vendor: string;
  architecture: string;
  description: string;
  software: boolean;
  /** Why it counts as software ('' for hardware). */
  why: string;
}

/** Names of software implementations, as they appear in an adapter's vendor, architecture or description. */
const SOFTWARE_NAMES: readonly [RegExp, string][] = [
  [/swiftshader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
  [/microsoft basic render/i, 'Microsoft Basic Render Driver'],
  [/\bwarp\b/i, 'WARP'],
];

export function classifyAdapter(facts: AdapterFacts): AdapterKind {
  const vendor = facts.vendor ?? '';
  const architecture = facts.architecture ?? '';
  const description = facts.description ?? '';
  const base = { vendor, architecture, description };
  if (facts.isFallbackAdapter === true) return { ...base, software: true, why: 'the browser marks it as a fallback adapter' };
  const text = [vendor, architecture, facts.device ?? '', description].join(' ');
  for (const [pattern, name] of SOFTWARE_NAMES) {
    if (pattern.test(text)) return { ...base, software: true, why: `${name} renders on the CPU` };
  }
  return { ...base, software: false, why: '' };
}
