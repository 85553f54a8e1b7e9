import { describe, expect, it } from 'vitest';
import { classifyAdapter } from './adapter';

describe('classifyAdapter', () => {
  it('calls a fallback adapter software whatever its names say', () => {
    const kind = classifyAdapter({ vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: true });
    expect(kind).toMatchObject({ vendor: 'nvidia', architecture: 'ampere', software: true });
    expect(kind.why).toContain('fallback');
  });

  it('recognises software rasterisers by vendor, architecture, device or description, in any case', () => {
    // What Chromium reports for SwiftShader (--use-webgpu-adapter=swiftshader).
    expect(classifyAdapter({ vendor: 'google', architecture: 'swiftshader', description: '' })).toMatchObject({ software: true, why: 'SwiftShader renders on the CPU' });
    expect(classifyAdapter({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }).software).toBe(true);
    expect(classifyAdapter({ vendor: 'mesa', device: 'Lavapipe' }).software).toBe(true);
    expect(classifyAdapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }).software).toBe(true);
    expect(classifyAdapter({ vendor: 'microsoft', architecture: 'WARP' }).software).toBe(true);
  });

  it('calls a named GPU hardware, and does not mistake words that merely contain "warp"', () => {
    expect(classifyAdapter({ vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3080', isFallbackAdapter: false })).toEqual({
      vendor: 'nvidia',
      architecture: 'ampere',
      description: 'NVIDIA GeForce RTX 3080',
      software: false,
      why: '',
    });
    expect(classifyAdapter({ vendor: 'apple', architecture: 'metal-3', description: 'warped-pipeline' }).software).toBe(false);
  });

  it('treats missing facts as empty names (hardware unless flagged)', () => {
    expect(classifyAdapter({})).toEqual({ vendor: '', architecture: '', description: '', software: false, why: '' });
  });
});
