"""Trains, in plain PyTorch, the GPT that `tpactors checkpoint export` wrote, on the very batches `tpactors train --model gpt`
drew, and prints each step's loss: the loss curve to hold TpActors' against.

    python3 gpt_train.py INIT.safetensors TOKENS --steps N [--threads T]

INIT is the export of a run's first checkpoint (step 0); its header carries the model, the optimizer with its schedule,
and the batch and seed. TOKENS is the token file the run read (`train --json` names it: data.token_file): 24 bytes of
header ("TPTOK", the token width, the count of tokens and of characters), then the tokens. Batches are drawn as TpActors
draws them: window b of step s starts at SplitMix64(SplitMix64(SplitMix64(seed ^ 1) + s) + b) mod (training tokens −
context). Prints one JSON object: {"losses": [...], "seconds_per_step": s (steps 2 on), "threads": T, "torch": version}.
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt_check import Gpt  # noqa: E402  the same plain model the verify dumps are checked with

MASK = (1 << 64) - 1


def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            sys.exit(f"{path}: tensor {name} is {entry['dtype']}, not F32")
        start, end = entry["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(data[start:end], dtype="<f4").copy()).reshape(entry["shape"])
    return metadata, tensors


def read_tokens(path):
    with open(path, "rb") as f:
        header = f.read(24)
        if header[:5] != b"TPTOK":
            sys.exit(f"{path}: not a TpActors token file")
        width = header[5]
        (count,) = struct.unpack("<q", header[8:16])
        return np.frombuffer(f.read(count * width), dtype="<u2" if width == 2 else "<i4").astype(np.int64)


def mix(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def window_start(seed, stream, n, window, starts):
    return mix((mix((mix((seed & MASK) ^ stream) + n) & MASK) + window) & MASK) % starts


def learning_rate(o, step):
    # TpActors' schedule (nanoGPT's get_lr with it = step - 1), rounded to float32 as TpActors uses it.
    it = step - 1
    lr, warmup, decay, low = o["learning_rate"], o["warmup_steps"], o["decay_steps"], o["min_learning_rate"]
    if it < warmup:
        value = lr * (it + 1) / (warmup + 1)
    elif decay <= 0:
        value = lr
    elif it > decay:
        value = low
    else:
        ratio = (it - warmup) / max(1, decay - warmup)
        value = low + 0.5 * (1 + math.cos(math.pi * ratio)) * (lr - low)
    return float(np.float32(value))


def decays(name):
    return not name.endswith(".bias") and not name.startswith("ln_") and ".ln_" not in name


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("init")
    parser.add_argument("tokens")
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    metadata, tensors = read_safetensors(args.init)
    spec, o, task = json.loads(metadata["model"]), json.loads(metadata["optimizer"]), json.loads(metadata["task"])
    if spec.get("kind") != "gpt":
        sys.exit(f"{args.init}: a {spec.get('kind')} model, not a gpt")
    config = {
        "vocab": tensors["wte.weight"].shape[0], "hidden": spec["hidden"], "heads": spec["heads"], "ffn": 4 * spec["hidden"],
        "context": spec["context"], "layers": spec["layers"], "bias": spec["bias"], "activation": spec["activation"],
        "layer_norm_eps": 1e-5, "tie_weights": spec["tie_embeddings"],
    }
    model = Gpt(config)
    # The export as any PyTorch user loads it. With tied embeddings it carries lm_head.weight too, a copy of wte.weight,
    # for models that keep both names; this one shares wte.weight and has no such key.
    model.load_state_dict({k: v for k, v in tensors.items() if k != "lm_head.weight" or not config["tie_weights"]}, strict=True)
    parameters = dict(model.named_parameters())

    tokens = read_tokens(args.tokens)
    share = float(np.float32(spec["text"]["validation_share"]))
    train = len(tokens) - math.floor(len(tokens) * share)
    batch, context, seed = task["batch"], spec["context"], task["seed"]
    starts = train - context
    offsets = np.arange(context)

    groups = [
        {"params": [p for n, p in parameters.items() if decays(n)], "weight_decay": o["weight_decay"]},
        {"params": [p for n, p in parameters.items() if not decays(n)], "weight_decay": 0.0},
    ]
    if o["name"] == "adamw":
        optimizer = torch.optim.AdamW(groups, lr=o["learning_rate"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"])
    else:
        optimizer = torch.optim.SGD(groups, lr=o["learning_rate"], momentum=o["momentum"])

    losses = []
    started = None
    for step in range(1, args.steps + 1):
        if step == 2:
            started = time.perf_counter()  # the first step warms PyTorch up; the rest are timed
        first = np.array([window_start(seed, 1, step, b, starts) for b in range(batch)], dtype=np.int64)
        rows = first[:, None] + offsets[None, :]
        idx, targets = torch.from_numpy(tokens[rows]), torch.from_numpy(tokens[rows + 1])
        logits = model(idx)
        loss = F.cross_entropy(logits.reshape(-1, config["vocab"]), targets.reshape(-1), label_smoothing=spec["label_smoothing"])
        losses.append(loss.item())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if o["gradient_clip"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), o["gradient_clip"])
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(o, step)
        optimizer.step()
    seconds = (time.perf_counter() - started) / (args.steps - 1) if started is not None else None
    print(json.dumps({"losses": losses, "seconds_per_step": seconds, "threads": args.threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
