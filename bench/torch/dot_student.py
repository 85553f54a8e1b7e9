"""The studio's `dot` student written again in PyTorch, to time the same training step outside the browser.

Same shapes and the same computation as src/model/layers/transformer.ts and src/model/students/dot.ts: token plus
position embeddings, pre-norm blocks (LayerNorm eps 1e-5, one fused qkv projection, attention with padded keys moved
down by 1e9, ReLU feed-forward), a final LayerNorm, the masked mean over real tokens, the dot product; Margin-MSE
against teacher margins; Adam. Batches are random token ids with random lengths (the data does not change the
arithmetic). Prints triples per second after a warm-up.

Usage: python3 bench/torch/dot_student.py [--config default|larger|both] [--steps 20] [--warmup 3]
       [--device cpu|cuda] [--threads N]
"""
import argparse
import math
import os
import time

import torch
from torch import nn

CONFIGS = {
    # The studio's default run config (src/train/config.ts) with the demo's hashed vocabulary.
    "default": dict(vocab=8192, hidden=64, heads=2, ffn=128, layers=1, batch=32, query=12, passage=48, lr=2e-3),
    # The larger config of bench/gpu/run.mjs.
    "larger": dict(vocab=8192, hidden=256, heads=4, ffn=1024, layers=2, batch=64, query=16, passage=128, lr=1e-3),
}


class Block(nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d, eps=1e-5)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d, eps=1e-5)
        self.ffn1 = nn.Linear(d, ffn)
        self.ffn2 = nn.Linear(ffn, d)

    def forward(self, x, key_mask):
        n, length, d = x.shape
        dh = d // self.heads
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
        heads = lambda t: t.reshape(n, length, self.heads, dh).transpose(1, 2)
        logits = heads(q) @ heads(k).transpose(-1, -2) / math.sqrt(dh) + key_mask
        mixed = (logits.softmax(-1) @ heads(v)).transpose(1, 2).reshape(n, length, d)
        x = x + self.out(mixed)
        return x + self.ffn2(torch.relu(self.ffn1(self.ln2(x))))


class DotStudent(nn.Module):
    def __init__(self, vocab, hidden, heads, ffn, layers, max_length):
        super().__init__()
        self.tok = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_length, hidden)
        self.blocks = nn.ModuleList(Block(hidden, heads, ffn) for _ in range(layers))
        self.lnf = nn.LayerNorm(hidden, eps=1e-5)

    def embed(self, ids):
        mask = (ids != 0).float()
        x = self.tok(ids) + self.pos.weight[: ids.shape[1]]
        key_mask = ((mask - 1) * 1e9)[:, None, None, :]
        for block in self.blocks:
            x = block(x, key_mask)
        x = self.lnf(x)
        return (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)


def random_ids(rows, length, vocab, gen, device):
    ids = torch.randint(1, vocab, (rows, length), generator=gen)
    lengths = torch.randint(max(1, length // 2), length + 1, (rows,), generator=gen)
    ids[torch.arange(length)[None, :] >= lengths[:, None]] = 0
    return ids.to(device)


def run(name, c, steps, warmup, device):
    torch.manual_seed(5)
    gen = torch.Generator().manual_seed(5)
    model = DotStudent(c["vocab"], c["hidden"], c["heads"], c["ffn"], c["layers"], max(c["query"], c["passage"])).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=c["lr"])
    batches = [
        (random_ids(c["batch"], c["query"], c["vocab"], gen, device), random_ids(2 * c["batch"], c["passage"], c["vocab"], gen, device), torch.randn(c["batch"], generator=gen).to(device))
        for _ in range(4)
    ]

    def step(i):
        q, p, margin = batches[i % len(batches)]
        qv = model.embed(q)
        pv = model.embed(p)
        pos, neg = pv[: c["batch"]], pv[c["batch"] :]
        loss = (((qv * pos).sum(1) - (qv * neg).sum(1) - margin) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    for i in range(warmup):
        step(i).item()
    if device == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    for i in range(steps):
        loss = step(i)
    loss.item()
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    params = sum(p.numel() for p in model.parameters())
    print(f"pytorch {torch.__version__} {device} ({torch.get_num_threads()} threads) | {name} | {params:,} parameters | {steps * c['batch'] / seconds:.1f} triples/s | {1000 * seconds / steps:.1f} ms/step", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", choices=["default", "larger", "both"], default="both")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    for name in (["default", "larger"] if a.config == "both" else [a.config]):
        run(name, CONFIGS[name], a.steps, a.warmup, a.device)


if __name__ == "__main__":
    main()
