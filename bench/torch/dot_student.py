"""The studio's `dot` student written again in PyTorch, to time the same training step outside the browser.

Same shapes and the same computation as src/model/layers/transformer.ts and src/model/students/dot.ts: token plus
position embeddings, pre-norm blocks (LayerNorm eps 1e-5, one fused qkv projection, attention with padded keys moved
down by 1e9, ReLU feed-forward), a final LayerNorm, the masked mean over real tokens, the dot product; Margin-MSE
against teacher margins; Adam. Batches are random token ids with random lengths (the data does not change the
arithmetic). Prints triples per second after a warm-up.

The real-size configs are BERT-shaped students of the same design at the paper's lengths (query 30, passage 200)
with BERT's WordPiece vocabulary: MiniLM-L6's shape and DistilBERT's, random init. --batch, --query, --passage
override a config's; --amp bf16 runs the step under bfloat16 autocast (CUDA); --json prints one JSON line.

Usage: python3 bench/torch/dot_student.py [--config default|larger|both|minilm|distilbert] [--steps 20] [--warmup 3]
       [--device cpu|cuda] [--threads N] [--batch B] [--query Q] [--passage P] [--amp off|bf16] [--json]
"""
import argparse
import contextlib
import json
import math
import os
import time

import torch
from torch import nn

CONFIGS = {
    # The studio's default run config (src/config/run-config.ts) with the demo's hashed vocabulary.
    "default": dict(vocab=8192, hidden=64, heads=2, ffn=128, layers=1, batch=32, query=12, passage=48, lr=2e-3),
    # The larger config of bench/gpu/run.mjs.
    "larger": dict(vocab=8192, hidden=256, heads=4, ffn=1024, layers=2, batch=64, query=16, passage=128, lr=1e-3),
    # Issue 21's real sizes: MiniLM-L6 and DistilBERT shapes, bert-base-uncased's 30,522 WordPiece ids.
    "minilm": dict(vocab=30522, hidden=384, heads=12, ffn=1536, layers=6, batch=32, query=30, passage=200, lr=1e-4),
    "distilbert": dict(vocab=30522, hidden=768, heads=12, ffn=3072, layers=6, batch=32, query=30, passage=200, lr=1e-4),
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


def run(name, c, steps, warmup, device, amp="off", as_json=False):
    torch.manual_seed(5)
    gen = torch.Generator().manual_seed(5)
    model = DotStudent(c["vocab"], c["hidden"], c["heads"], c["ffn"], c["layers"], max(c["query"], c["passage"])).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=c["lr"])
    batches = [
        (random_ids(c["batch"], c["query"], c["vocab"], gen, device), random_ids(2 * c["batch"], c["passage"], c["vocab"], gen, device), torch.randn(c["batch"], generator=gen).to(device))
        for _ in range(4)
    ]

    # bf16 autocast runs the matrix products in bfloat16 and keeps the weights, Adam and the loss in float32.
    autocast = (lambda: torch.autocast(device_type=device, dtype=torch.bfloat16)) if amp == "bf16" else contextlib.nullcontext

    def step(i):
        q, p, margin = batches[i % len(batches)]
        with autocast():
            qv = model.embed(q)
            pv = model.embed(p)
        qv, pv = qv.float(), pv.float()
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
    if as_json:
        shape = {k: c[k] for k in ("vocab", "hidden", "heads", "ffn", "layers", "batch", "query", "passage")}
        print(json.dumps(dict(torch=torch.__version__, device=device, amp=amp, threads=torch.get_num_threads(), config=name, **shape, parameters=params, steps=steps, seconds=seconds, triples_per_second=steps * c["batch"] / seconds)), flush=True)
        return
    print(f"pytorch {torch.__version__} {device}{' bf16 autocast' if amp == 'bf16' else ''} ({torch.get_num_threads()} threads) | {name} | {params:,} parameters | {steps * c['batch'] / seconds:.1f} triples/s | {1000 * seconds / steps:.1f} ms/step", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", choices=["both", *CONFIGS], default="both")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    for key in ("batch", "query", "passage"):
        ap.add_argument(f"--{key}", type=int, help=f"override the config's {key}")
    ap.add_argument("--amp", choices=["off", "bf16"], default="off")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    for key in ("batch", "query", "passage", "steps", "threads"):
        value = getattr(a, key)
        if value is not None and value < 1:
            ap.error(f"--{key} must be at least 1, got {value}")
    if a.device == "cuda" and not torch.cuda.is_available():
        ap.error("--device cuda: this torch has no CUDA device (torch.cuda.is_available() is False)")
    torch.set_num_threads(a.threads)
    for name in (["default", "larger"] if a.config == "both" else [a.config]):
        c = dict(CONFIGS[name], **{k: getattr(a, k) for k in ("batch", "query", "passage") if getattr(a, k) is not None})
        run(name, c, a.steps, a.warmup, a.device, a.amp, a.json)


if __name__ == "__main__":
    main()
