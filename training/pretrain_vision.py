"""Stage 1, long form: the vision tower alone on patch labels, on many more views than train.py's
built-in stage 1 can afford, written for `train.py --stage1 <file>`.

Why: train.py's stage 1 (400 steps, each decoding 48 PNGs) taught colour but not shape (object
patches named for their shape 24-27 % of the time, chance 17 %), and nearly every question names
its object by shape. Decoding is half of a step's time, so every training scene is decoded once
into two model views kept in memory: the 80 px input (expand2square + PIL bicubic, exactly as the
model sees it) and the same at 160 px; half of each batch is the 80 px view, half an 80 px window
cut at a random offset from the 160 px view (a 2x zoom at a random sub-patch shift). The window is
close to, not exactly, what a crop of the scene resized to 80 px gives (one resize instead of two),
which is fine for teaching the tower to see; stage 2 trains on exact inputs.

Reproducible: seeds for torch and numpy, fixed step count, two threads. The labels, the model and
the learning-rate schedule are train.py's (cell_labels, CellProbe, init_weights, lr_at).
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from PIL import Image

import train
from llava_model import LlavaForConditionalGeneration
from preprocess import model_input_u8, normalize_u8
from world_data import cell_labels, load_world


def views(scenes: dict, ids: list, cache: str | None):
    """[N, 80, 80, 3] and [N, 160, 160, 3] uint8 model views of every scene, cached in `cache` (.npz)."""
    if cache and os.path.exists(cache):
        z = np.load(cache)
        return z["u80"], z["u160"]
    t = time.time()
    u80 = np.zeros((len(ids), 80, 80, 3), np.uint8)
    u160 = np.zeros((len(ids), 160, 160, 3), np.uint8)
    for i, sid in enumerate(ids):
        img = Image.open(scenes[sid]["path"]).convert("RGB")
        u80[i] = model_input_u8(img, 80)
        u160[i] = model_input_u8(img, 160)
    if cache:
        np.savez(cache, u80=u80, u160=u160)
    print(f"views of {len(ids)} scenes in {time.time() - t:.0f} s", flush=True)
    return u80, u160


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True, help="training world folder")
    ap.add_argument("--out", required=True, help="stage-1 state for train.py --stage1")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--cache", help="where to keep the decoded views (.npz), to reuse them")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    assert train.VISION.image_size == 80, "the views are cut for an 80 px input"

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    scenes, _ = load_world(args.train)
    ids = list(scenes)
    u80, u160 = views(scenes, ids, args.cache)
    model = LlavaForConditionalGeneration(train.model_config())
    train.init_weights(model, train.TEXT.num_hidden_layers)
    probe = train.CellProbe(train.VISION.hidden_size)
    vm = model.vision_tower.vision_model
    params = list(vm.parameters()) + list(probe.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr, betas=(0.9, 0.98), weight_decay=0.05)
    grid = train.VISION.image_size // train.VISION.patch_size
    t0 = time.time()
    recent, log = [], []
    for step in range(args.steps):
        px, labels = [], []
        for i in rng.integers(len(ids), size=args.batch):
            s = scenes[ids[i]]
            if rng.random() < 0.5:
                px.append(normalize_u8(u80[i]))
                labels.append(cell_labels(s, None, grid))
            else:
                x, y = rng.integers(0, 81, size=2)
                side = max(s["width"], s["height"])
                left, top = (side - s["width"]) // 2, (side - s["height"]) // 2
                k = side / 160
                view = (x * k - left, y * k - top, (x + 80) * k - left, (y + 80) * k - top)
                px.append(normalize_u8(u160[i, y:y + 80, x:x + 80]))
                labels.append(cell_labels(s, view, grid))
        for g in opt.param_groups:
            g["lr"] = train.lr_at(step, args.steps, args.lr, 30)
        h = vm.hidden_state(torch.from_numpy(np.stack(px)), -2)[:, 1:]
        loss, accs = probe.loss(h, torch.from_numpy(np.stack(labels)))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        recent.append(accs + [loss.item()])
        if (step + 1) % 50 == 0:
            a = np.nanmean(np.array(recent[-50:]), 0)
            log.append({"step": step + 1, "loss": round(float(a[3]), 5), "objectPatchAccuracy": [round(float(v), 4) for v in a[:3]], "seconds": round(time.time() - t0, 1)})
            print(f"{step + 1} loss {a[3]:.3f} colour {a[0]:.2f} shape {a[1]:.2f} glyph {a[2]:.2f} {time.time() - t0:.0f}s", flush=True)
        if (step + 1) % 250 == 0 or step + 1 == args.steps:
            torch.save({"model": model.state_dict(), "probe": probe.state_dict(), "log": log}, args.out)
    print(json.dumps(log[-1]), flush=True)


if __name__ == "__main__":
    main()
