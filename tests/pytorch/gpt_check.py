"""Loads a `tpactors verify --model gpt --dump DIR` into a plain PyTorch GPT and checks that its losses and
every parameter's gradient agree with the ones TpActors computed on its rank actors.

    python3 gpt_check.py DIR [--tolerance 1e-4]

The model is nanoGPT's shape with TpActors' names (manifest.json names each file's tensor): wte, wpe, h.{i}.ln_1,
h.{i}.attn.{query,key,value,proj}, h.{i}.ln_2, h.{i}.mlp.{fc1,fc2}, ln_f, lm_head (absent with weight tying). Files
marked "transposed" hold an nn.Linear weight as [in, out]. Prints one JSON object; exit code 1 on any disagreement.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, hidden, heads, bias):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden, bias=bias)
        self.key = nn.Linear(hidden, hidden, bias=bias)
        self.value = nn.Linear(hidden, hidden, bias=bias)
        self.proj = nn.Linear(hidden, hidden, bias=bias)

    def forward(self, x):
        b, t, c = x.shape
        split = lambda y: y.view(b, t, self.heads, c // self.heads).transpose(1, 2)  # [b, heads, t, d]
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-2, -1) / math.sqrt(c // self.heads)
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        scores = scores.masked_fill(~mask, float("-inf"))
        out = F.softmax(scores, dim=-1) @ v
        return self.proj(out.transpose(1, 2).reshape(b, t, c))


class Mlp(nn.Module):
    def __init__(self, hidden, ffn, bias, activation):
        super().__init__()
        self.fc1 = nn.Linear(hidden, ffn, bias=bias)
        self.fc2 = nn.Linear(ffn, hidden, bias=bias)
        self.activation = activation

    def forward(self, x):
        h = self.fc1(x)
        if self.activation == "gelu":
            h = F.gelu(h)
        elif self.activation == "gelu-tanh":
            h = F.gelu(h, approximate="tanh")
        else:
            h = F.relu(h)
        return self.fc2(h)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c["hidden"], eps=c["layer_norm_eps"])
        self.attn = Attention(c["hidden"], c["heads"], c["bias"])
        self.ln_2 = nn.LayerNorm(c["hidden"], eps=c["layer_norm_eps"])
        self.mlp = Mlp(c["hidden"], c["ffn"], c["bias"], c["activation"])

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.tied = c["tie_weights"]
        self.wte = nn.Embedding(c["vocab"], c["hidden"])
        self.wpe = nn.Embedding(c["context"], c["hidden"])
        self.h = nn.ModuleList(Block(c) for _ in range(c["layers"]))
        self.ln_f = nn.LayerNorm(c["hidden"], eps=c["layer_norm_eps"])
        if not self.tied:
            self.lm_head = nn.Linear(c["hidden"], c["vocab"], bias=False)

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.h:
            x = block(x)
        x = self.ln_f(x)
        return x @ self.wte.weight.t() if self.tied else self.lm_head(x)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dump")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()
    torch.set_num_threads(1)

    with open(os.path.join(args.dump, "manifest.json")) as f:
        manifest = json.load(f)
    if manifest.get("model") != "gpt":
        sys.exit(f"{args.dump}: a dump of --model {manifest.get('model')}, not gpt")
    config = manifest["config"]
    tensors = {}
    for entry in manifest["tensors"]:
        array = np.load(os.path.join(args.dump, entry["file"]))
        if entry["transposed"]:
            array = array.T
        tensors[entry["name"]] = torch.from_numpy(np.ascontiguousarray(array))

    model = Gpt(config)
    parameters = dict(model.named_parameters())
    dumped = {e["name"] for e in manifest["tensors"] if e["kind"] == "parameter"}
    if dumped != set(parameters):
        sys.exit(f"the dump's parameters {sorted(dumped ^ set(parameters))} do not match the PyTorch model's")
    with torch.no_grad():
        for name, p in parameters.items():
            p.copy_(tensors[name].reshape(p.shape))

    b, t = config["batch"], config["context"]
    idx = tensors["idx"].reshape(b, t).long()
    targets = tensors["targets"].reshape(b * t).long()
    logits = model(idx).reshape(b * t, config["vocab"])
    losses = F.cross_entropy(logits, targets, reduction="none", label_smoothing=config["label_smoothing"])
    # The dump's output gradient: each token's dℓ (1/N for the mean loss).
    (losses * tensors["grad.losses"].reshape(b * t)).sum().backward()

    def compare(name, actual, expected):
        error = (actual.double() - expected.double().reshape(actual.shape)).abs().max().item()
        scale = expected.double().abs().max().item()
        relative = 0.0 if error == 0 else error / max(scale, 1e-300)
        return {"name": name, "max_abs_error": error, "max_rel_error": relative, "passed": relative <= args.tolerance}

    checks = [compare("losses", losses.detach(), tensors["losses"])]
    for name, p in parameters.items():
        if name.endswith("attn.key.bias"):
            # 0 in exact arithmetic (q·b_k shifts a row's scores alike): measured against its query-bias sibling's scale.
            sibling = tensors["grad." + name[: -len("key.bias")] + "query.bias"].double().abs().max().item()
            error = (p.grad.double() - tensors["grad." + name].double().reshape(p.shape)).abs().max().item()
            checks.append({"name": "grad." + name, "max_abs_error": error, "max_rel_error": error / sibling, "passed": error / sibling <= args.tolerance})
            continue
        checks.append(compare("grad." + name, p.grad, tensors["grad." + name]))
    passed = all(c["passed"] for c in checks)
    print(json.dumps({"passed": passed, "tp": manifest["tp"], "torch": torch.__version__, "checks": checks}))
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
