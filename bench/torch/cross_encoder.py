"""Scores (query, passage) pairs with sentence-transformers' CrossEncoder on this CPU, as a user would, for
bench/teacher.mjs: raw logits (the identity as the activation, not the sigmoid CrossEncoder applies to one label).

Usage: python cross_encoder.py REQUEST.json, where the request holds {"folder", "max_length", "batch_size",
"repeats", "pairs": [[query, passage], ...]}; prints {"scores", "seconds", "lengths", "versions"} as JSON:
the scores in the pairs' order, the wall time of each of `repeats` timed predict calls after one untimed call, and
each pair's tokens after the cut.
"""
import json
import sys
import time

import sentence_transformers
import torch
from sentence_transformers import CrossEncoder


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        request = json.load(f)
    model = CrossEncoder(request["folder"], device="cpu", max_length=request["max_length"], activation_fn=torch.nn.Identity())
    pairs = [tuple(p) for p in request["pairs"]]
    batch = request["batch_size"]
    # One untimed call: the first one allocates and picks kernels.
    scores = model.predict(pairs, batch_size=batch, show_progress_bar=False)
    seconds = []
    for _ in range(request["repeats"]):
        t0 = time.perf_counter()
        model.predict(pairs, batch_size=batch, show_progress_bar=False)
        seconds.append(time.perf_counter() - t0)
    # Tokens a pair has after the cut ([CLS] q [SEP] p [SEP]): CrossEncoder pads a batch to its longest pair only.
    lengths = [len(model.tokenizer(q, p, truncation=True, max_length=request["max_length"])["input_ids"]) for q, p in pairs]
    versions = {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__, "threads": torch.get_num_threads()}
    print(json.dumps({"scores": [float(s) for s in scores], "seconds": seconds, "lengths": lengths, "versions": versions}))


if __name__ == "__main__":
    main()
