#!/usr/bin/env python3
"""Continue a Margin Studio run on one or many GPUs with sentence-transformers.

The studio wrote this folder: the data as it held it (data/), the model the run starts from (model/), and the
run's settings (run.json). This script trains that model with the same loss and settings:

    python train.py                                    # one GPU (or the CPU)
    accelerate launch train.py                         # every GPU of this machine
    torchrun --nproc_per_node 4 train.py               # four GPUs
    python train.py --check-data                       # read the data and print its counts (standard library only)

The batch size in run.json is the global batch: with N processes and A gradient-accumulation steps, each process
takes batch / (N × A) triples per forward, and A forwards per process make one optimiser step over the whole batch.
The output folder (--output, default ./output) loads as a SentenceTransformer (dot) or a CrossEncoder (cat), and
back in the studio through Model > import a model folder, with trainer_state.json giving the loss curve.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def per_device_batch(rows_per_step, world, accumulation):
    """Rows each process takes per forward so that one optimiser step still sees the run's whole batch:
    rows_per_step = world × accumulation × per_device. ValueError, saying what to change, when that cannot be."""
    if not isinstance(accumulation, int) or isinstance(accumulation, bool) or accumulation < 1:
        raise ValueError(f"run.json: gradient_accumulation_steps must be a whole number of at least 1, got {accumulation!r}")
    if rows_per_step % (world * accumulation):
        raise ValueError(
            f"the run's batch of {rows_per_step} does not split evenly over {world} process(es) × {accumulation} "
            f"gradient-accumulation step(s); choose a process count N with N × {accumulation} dividing {rows_per_step}"
        )
    return rows_per_step // (world * accumulation)


class DataError(Exception):
    """A data file the script cannot use, with the file, the line and the reason."""


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Continue a Margin Studio run with sentence-transformers.")
    p.add_argument("--max-steps", type=int, default=None, help="training steps (default: the run's)")
    p.add_argument("--output", default=os.path.join(HERE, "output"), help="where the trained model goes (default: ./output)")
    p.add_argument("--save-steps", type=int, default=None, help="a checkpoint every this many steps (default: run.json's)")
    p.add_argument("--check-data", action="store_true", help="only read the data files, check them and print their counts")
    args = p.parse_args(argv)
    if args.max_steps is not None and args.max_steps < 1:
        p.error("--max-steps must be at least 1")
    if args.save_steps is not None and args.save_steps < 1:
        p.error("--save-steps must be at least 1")
    return args


def load_run():
    path = os.path.join(HERE, "run.json")
    try:
        with open(path, encoding="utf-8") as f:
            run = json.load(f)
    except (OSError, ValueError) as err:
        raise DataError(f"{path}: cannot read the run's settings ({err})") from err
    if run.get("format") != "margin-studio-handoff":
        raise DataError(f"{path}: not a Margin Studio handoff (format is {run.get('format')!r})")
    return run


def data_path(run, key):
    name = run["data"].get(key)
    return os.path.join(HERE, name) if name else None


def read_texts(path):
    """id<TAB>text lines into a dict; ids are integers as the studio stores them."""
    texts = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t", 1)
            if len(parts) != 2:
                raise DataError(f"{path}, line {n}: expected id<TAB>text")
            try:
                key = int(parts[0])
            except ValueError:
                raise DataError(f"{path}, line {n}: the id {parts[0]!r} is not an integer") from None
            if key in texts:
                raise DataError(f"{path}, line {n}: id {key} appears twice")
            texts[key] = parts[1]
    return texts


def iter_triples(path):
    """(pos_score, neg_score, qid, pid_pos, pid_neg) per line: the paper's id-based layout."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) != 5:
                raise DataError(f"{path}, line {n}: expected 5 tab-separated fields, found {len(parts)}")
            try:
                pos, neg = float(parts[0]), float(parts[1])
                qid, p, q = int(parts[2]), int(parts[3]), int(parts[4])
            except ValueError:
                raise DataError(f"{path}, line {n}: scores must be numbers and ids integers") from None
            if not (math.isfinite(pos) and math.isfinite(neg)):
                raise DataError(f"{path}, line {n}: a score is not finite")
            yield pos, neg, qid, p, q


def count_lines(path, fields, sep=None):
    count = 0
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            if len(line.split(sep)) != fields:
                raise DataError(f"{path}, line {n}: expected {fields} fields")
            count += 1
    return count


def teacher_scale(path, queries, passages):
    """Mean and population standard deviation over both scores of every triple trained on, as the studio
    standardises: triples whose texts are missing are left out here too."""
    def scores():
        for pos, neg, qid, p, q in iter_triples(path):
            if qid in queries and p in passages and q in passages:
                yield pos, neg

    n, total, squares = 0, 0.0, 0.0
    for pos, neg in scores():
        n += 2
        total += pos + neg
    mean = total / max(n, 1)
    for pos, neg in scores():
        squares += (pos - mean) ** 2 + (neg - mean) ** 2
    std = math.sqrt(squares / max(n, 1)) or 1.0
    return mean, std


def check_data(run):
    """Reads every data file with the standard library, checks references, prints counts; 1 on any mismatch."""
    expected = run["data"]["counts"]
    queries = read_texts(data_path(run, "queries"))
    passages = read_texts(data_path(run, "collection"))
    triples, missing_q, missing_p = 0, 0, 0
    for _pos, _neg, qid, p, q in iter_triples(data_path(run, "triples")):
        triples += 1
        missing_q += qid not in queries
        missing_p += (p not in passages) + (q not in passages)
    counts = {"triples": triples, "queries": len(queries), "passages": len(passages)}
    if data_path(run, "qrels"):
        counts["qrels"] = count_lines(data_path(run, "qrels"), 4)
    for r in run["data"].get("runs", []):
        counts[f"run {r['name']}"] = count_lines(os.path.join(HERE, r["file"]), 6)
    for key, value in counts.items():
        print(f"{key}: {value}")
    print(f"triples whose query is missing: {missing_q}")
    print(f"passage references missing from the collection: {missing_p}")
    wrong = [f"{k} {counts.get(k)} (run.json says {v})" for k, v in expected.items() if counts.get(k) != v]
    if wrong:
        print("counts differ from run.json: " + "; ".join(wrong), file=sys.stderr)
        return 1
    if missing_q or (missing_p and run["data"].get("collection_is_whole") is False):
        print("some triples refer to texts that are not in the files", file=sys.stderr)
        return 1
    print("data ok")
    return 0


def id_rows(files, stamp, pointwise, mean, std):
    """The triples whose texts are all present, as ids and (standardised) scores; `stamp` only keys the cache."""
    del stamp
    queries = {int(line.split("\t", 1)[0]) for line in open(files["queries"], encoding="utf-8") if line.strip()}
    passages = {int(line.split("\t", 1)[0]) for line in open(files["collection"], encoding="utf-8") if line.strip()}
    for pos, neg, qid, p, q in iter_triples(files["triples"]):
        # Triples whose texts are missing are skipped (--check-data counts them).
        if qid not in queries or p not in passages or q not in passages:
            continue
        pos, neg = (pos - mean) / std, (neg - mean) / std
        if pointwise:
            # Pointwise MSE: both passages of the triple as (query, passage, score) rows.
            yield {"qid": qid, "pid": p, "score": pos}
            yield {"qid": qid, "pid": q, "score": neg}
        else:
            yield {"qid": qid, "pos": p, "neg": q, "pos_score": pos, "neg_score": neg}


def dropout_kwargs(model_dir, p):
    """The studio trains without dropout: the same probabilities, named as the model type names them."""
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
        model_type = json.load(f).get("model_type")
    if model_type == "distilbert":
        return {"dropout": p, "attention_dropout": p, "seq_classif_dropout": p}
    return {"hidden_dropout_prob": p, "attention_probs_dropout_prob": p, "classifier_dropout": p}


def train(args, run):
    # Imported here so that --check-data needs nothing beyond the standard library.
    import torch
    from datasets import Dataset, Features, Value
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments

    try:  # sentence-transformers 6 moved the bi-encoder's losses and modules
        from sentence_transformers.sentence_transformer import losses
        from sentence_transformers.sentence_transformer import modules as models
    except ImportError:
        from sentence_transformers import losses, models
    from sentence_transformers.cross_encoder import CrossEncoder, CrossEncoderTrainer, CrossEncoderTrainingArguments
    from sentence_transformers.cross_encoder import losses as ce_losses

    s = run["train"]
    kind, loss_name = s["kind"], s["loss"]
    world = int(os.environ.get("WORLD_SIZE", "1"))
    # The studio's micro-batches: that many forwards per process before each optimiser step (run.json files written
    # before the studio had micro-batches have none: 1).
    accumulation = s.get("gradient_accumulation_steps", 1)
    # MSE trains on (query, passage) pairs: both passages of a triple, so twice as many rows per step.
    rows_per_step = s["per_device_batch_size_total"] * (2 if loss_name == "mse" else 1)
    try:
        per_device = per_device_batch(rows_per_step, world, accumulation)
    except ValueError as err:
        sys.exit(str(err))
    max_steps = args.max_steps or s["max_steps"]

    queries = read_texts(data_path(run, "queries"))
    passages = read_texts(data_path(run, "collection"))
    triples_path = data_path(run, "triples")
    mean, std = teacher_scale(triples_path, queries, passages) if s["standardize_teacher"] else (0.0, 1.0)

    model_dir = os.path.join(HERE, run["model"]["folder"])
    config_kwargs = dropout_kwargs(model_dir, s["dropout"])
    trainer_args = dict(
        output_dir=args.output,
        max_steps=max_steps,
        per_device_train_batch_size=per_device,
        gradient_accumulation_steps=accumulation,
        learning_rate=s["learning_rate"],
        warmup_steps=s["warmup_steps"],
        lr_scheduler_type=s["lr_scheduler_type"],
        weight_decay=s["weight_decay"],
        max_grad_norm=s["max_grad_norm"],
        adam_beta1=s["adam_beta1"],
        adam_beta2=s["adam_beta2"],
        adam_epsilon=s["adam_epsilon"],
        seed=s["seed"],
        data_seed=s["seed"],
        logging_steps=s["logging_steps"],
        save_steps=args.save_steps or s["save_steps"],
        save_total_limit=2,
        dataloader_drop_last=True,
        report_to="none",
    )

    if world > 1 and not torch.cuda.is_available():
        # Several processes without a GPU (a trial of the launch on a CPU): transformers needs gloo asked for.
        trainer_args.update(use_cpu=True, ddp_backend="gloo")
    training_args = (SentenceTransformerTrainingArguments if kind == "bi-encoder" else CrossEncoderTrainingArguments)(**trainer_args)

    # Ids on disk (an Arrow table in the datasets cache, memory-mapped), texts looked up batch by batch: 40M triples
    # take about a gigabyte this way. The trainer's sampler shuffles every epoch with the run's seed. The generator
    # gets only file names, sizes and scalars, which is what datasets hashes to name (and reuse) its cache.
    if loss_name == "mse":
        id_features = Features({"qid": Value("int64"), "pid": Value("int64"), "score": Value("float32")})
    else:
        id_features = Features({"qid": Value("int64"), "pos": Value("int64"), "neg": Value("int64"), "pos_score": Value("float32"), "neg_score": Value("float32")})
    files = {key: data_path(run, key) for key in ("triples", "queries", "collection")}
    stamp = {key: [os.path.getsize(path), os.path.getmtime(path)] for key, path in files.items()}
    with training_args.main_process_first(desc="reading the triples"):
        dataset = Dataset.from_generator(id_rows, features=id_features, gen_kwargs={"files": files, "stamp": stamp, "pointwise": loss_name == "mse", "mean": mean, "std": std})

    def texts(batch):
        q = [queries[i] for i in batch["qid"]]
        if loss_name == "mse":
            return {"query": q, "passage": [passages[i] for i in batch["pid"]], "label": batch["score"]}
        p = [passages[i] for i in batch["pos"]]
        n = [passages[i] for i in batch["neg"]]
        if loss_name == "margin-mse":
            return {"query": q, "positive": p, "negative": n, "label": [a - b for a, b in zip(batch["pos_score"], batch["neg_score"])]}
        return {"query": q, "docs": [[a, b] for a, b in zip(p, n)], "labels": [[1.0, 0.0] for _ in q]}

    dataset = dataset.with_transform(texts)

    if kind == "bi-encoder":
        model = SentenceTransformer(model_dir, device="cpu", config_kwargs=config_kwargs)
        model.max_seq_length = s["max_seq_length"]
        if s["add_dense"]:
            # The run projected the pooled vector with a Dense layer the checkpoint does not have.
            mods = list(model)
            at = next((i for i, m in enumerate(mods) if isinstance(m, models.Normalize)), len(mods))
            width = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            dense = models.Dense(width(), s["add_dense"], bias=True, activation_function=torch.nn.Identity())
            model = SentenceTransformer(modules=mods[:at] + [dense] + mods[at:], device="cpu")
        loss = losses.MarginMSELoss(model)
        trainer = SentenceTransformerTrainer(model=model, args=training_args, train_dataset=dataset, loss=loss)
    else:
        model = CrossEncoder(model_dir, num_labels=1, max_length=s["max_seq_length"], device="cpu", config_kwargs=config_kwargs, activation_fn=torch.nn.Identity())
        if loss_name == "margin-mse":
            loss = ce_losses.MarginMSELoss(model)
        elif loss_name == "mse":
            loss = ce_losses.MSELoss(model)
        else:
            loss = ce_losses.RankNetLoss(model, reduction_log="natural")
        trainer = CrossEncoderTrainer(model=model, args=training_args, train_dataset=dataset, loss=loss)

    started = time.time()
    trainer.train()
    if trainer.is_world_process_zero():
        if kind == "bi-encoder":
            # Trained on dot products: say so, or the saved model compares vectors by cosine.
            model.similarity_fn_name = "dot"
        model.save_pretrained(args.output)
        trainer.save_state()
        devices = torch.cuda.device_count() if torch.cuda.is_available() else 0
        where = f"{world} × {torch.cuda.get_device_name(0)}" if devices else (f"{world} × cpu" if world > 1 else "cpu")
        result = {"format": "margin-studio-handoff-result", "run": run, "steps": trainer.state.global_step, "seconds": round(time.time() - started, 1), "device": where}
        with open(os.path.join(args.output, "margin_studio.json"), "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
        print(f"trained {trainer.state.global_step} steps in {result['seconds']} s on {where}; the model is in {args.output}")


def main(argv=None):
    args = parse_args(argv)
    try:
        run = load_run()
        if args.check_data:
            return check_data(run)
        train(args, run)
        return 0
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
