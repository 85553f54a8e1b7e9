/** The student architectures by name; no tfjs here, so the page can list them without loading it. */
export const ARCHS = ['dot', 'colbert', 'tk', 'prett', 'cat'] as const;
export type Arch = (typeof ARCHS)[number];

export const ARCH_LABELS: Record<Arch, string> = {
  dot: 'BERT_DOT: one encoder, pooled vectors, dot product',
  colbert: 'ColBERT: per-token vectors, sum of max similarities',
  tk: 'TK: contextualised tokens, 11 RBF kernels over cosine matches',
  prett: 'PreTTR: query and passage apart in lower layers, joint upper layers',
  cat: 'BERT_CAT: [CLS] q [SEP] p [SEP] cross-encoder',
};

export function isArch(value: unknown): value is Arch {
  return typeof value === 'string' && (ARCHS as readonly string[]).includes(value);
}
