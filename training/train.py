"""Trains the LASER demo model: a small LLaVA-1.5 (CLIP ViT + MLP projector + LLaMA) on worlds made
by `laser world generate`. See training/README.md for the exact commands.

Reproducible: every random choice comes from --seed (torch, numpy), the data from world seeds, and
the step count is fixed (not a time budget). Single process, torch.set_num_threads(2).
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from evaluate_world import evaluate
from llava_model import LlavaConfig, LlavaForConditionalGeneration, TextConfig, VisionConfig
from tokenizer import IMAGE, WordTokenizer, vocabulary
from world_data import COLOUR_CLASSES, GLYPH_CLASSES, IGNORE, SHAPE_CLASSES, Batcher, load_world, plan_rows

# Sized for a 2-core CPU: about 1.2 M parameters, 64 image tokens (8 x 8 patches of 10 px on an
# 80 px input). 96 wide throughout; the decoder has 6 layers of 3 heads sharing 1 key/value head.
VISION = VisionConfig(hidden_size=96, intermediate_size=384, num_hidden_layers=5, num_attention_heads=4, image_size=80, patch_size=10)
TEXT = TextConfig(hidden_size=96, intermediate_size=256, num_hidden_layers=6, num_attention_heads=3, num_key_value_heads=1, vocab_size=96)


def model_config() -> LlavaConfig:
    return LlavaConfig(VISION, TEXT, image_token_index=IMAGE, vision_feature_layer=-2)


def load_trained(weights: str) -> LlavaForConditionalGeneration:
    """The model of a state dict train.py wrote (--out), in eval mode."""
    model = LlavaForConditionalGeneration(model_config())
    model.load_state_dict(torch.load(weights))
    return model.eval()


def init_weights(model: torch.nn.Module, layers: int) -> None:
    """LLaMA's normal(0, 0.02), with residual output projections scaled down by sqrt(2 * layers) (GPT-2)."""
    for name, p in model.named_parameters():
        if name.endswith("bias"):
            torch.nn.init.zeros_(p)
        elif "norm" in name or "layrnorm" in name:
            torch.nn.init.ones_(p)
        elif p.dim() >= 2 or name.endswith("class_embedding"):
            std = 0.02 / math.sqrt(2 * layers) if name.endswith(("o_proj.weight", "down_proj.weight", "out_proj.weight", "fc2.weight")) else 0.02
            torch.nn.init.normal_(p, 0.0, std)


class CellProbe(torch.nn.Module):
    """Linear heads on the vision tower's selected hidden state (what the projector reads): the
    colour, shape and glyph of the object in each patch. Trained on answer tokens alone (one or
    two per question) the model settled on each family's most frequent answer and ignored the
    image, because its ViT learned too slowly from so sparse a signal; these dense labels play the
    part CLIP's pretraining plays for LLaVA (stage 1 below), and keep the features sharp after.
    "Nothing here" is down-weighted: most patches are background. Not part of the shipped model."""

    def __init__(self, d: int, none_weight: float = 0.2):
        super().__init__()
        self.heads = torch.nn.ModuleList(torch.nn.Linear(d, len(c)) for c in (COLOUR_CLASSES, SHAPE_CLASSES, GLYPH_CLASSES))
        self.none_weight = none_weight

    def loss(self, h: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, list[float]]:
        """h [N, T, D] patch features, labels [N, 3, T] → loss, and per head the accuracy on object patches."""
        total, accs = h.new_zeros(()), []
        for k, head in enumerate(self.heads):
            y = labels[:, k].reshape(-1)
            logits = head(h).reshape(-1, head.out_features)
            w = torch.ones(head.out_features)
            w[0] = self.none_weight
            if (y != IGNORE).any():
                total = total + F.cross_entropy(logits, y, weight=w, ignore_index=IGNORE)
            sel = y > 0
            accs.append((logits[sel].argmax(-1) == y[sel]).float().mean().item() if sel.any() else float("nan"))
        return total / len(self.heads), accs


def pretrain_vision(model, probe, scenes: dict, rng, steps: int, batch: int, lr: float, log: list) -> None:
    """Stage 1: the vision tower and the probe alone on patch labels, on full views and random
    crops (the spec's side rule or a random scale) of the training scenes. No decoder: cheap."""
    from PIL import Image

    from preprocess import pixel_values
    from world_data import cell_labels, missing_crop

    vm = model.vision_tower.vision_model
    params = list(vm.parameters()) + list(probe.parameters())
    opt = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.98), weight_decay=0.05)
    ids = list(scenes)
    grid = VISION.image_size // VISION.patch_size
    t0 = time.time()
    for step in range(steps):
        px, labels = [], []
        for i in rng.integers(len(ids), size=batch):
            scene = scenes[ids[i]]
            img = Image.open(scene["path"]).convert("RGB")
            view = None if rng.random() < 0.5 else missing_crop(rng, scene, {"targets": []})
            px.append(pixel_values(img if view is None else img.crop(view), VISION.image_size))
            labels.append(cell_labels(scene, view, grid))
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, lr, 30)
        h = vm.hidden_state(torch.from_numpy(np.stack(px)), model.config.vision_feature_layer)[:, 1:]
        loss, accs = probe.loss(h, torch.from_numpy(np.stack(labels)))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        log.append({"step": step + 1, "loss": round(loss.item(), 5), "objectPatchAccuracy": [round(a, 4) for a in accs], "seconds": round(time.time() - t0, 1)})
        if (step + 1) % 20 == 0:
            recent = log[-20:]
            mean = [float(np.nanmean([r["objectPatchAccuracy"][k] for r in recent])) for k in range(3)]
            print(f"vision {step + 1}/{steps} loss {np.mean([r['loss'] for r in recent]):.3f} object-patch accuracy colour {mean[0]:.2f} shape {mean[1]:.2f} glyph {mean[2]:.2f} {time.time() - t0:.0f}s", flush=True)


@torch.no_grad()
def init_projector(model, scenes: dict, rng, images: int = 256) -> None:
    """Data-dependent projector init after stage 1: unit-gain weights and biases that centre each
    layer's output over real image features. Measured before this: the vector shared by all image
    tokens (background, LayerNorm offsets) had 8x the rms of what differs between tokens (0.73
    against 0.09), so after the decoder's RMSNorm every image token looked alike, attention over
    them stayed uniform, and the decoder never learnt to read the image. Centred, they differ."""
    from PIL import Image

    from preprocess import pixel_values

    ids = list(scenes)
    px = [pixel_values(Image.open(scenes[ids[i]]["path"]).convert("RGB"), VISION.image_size) for i in rng.integers(len(ids), size=images)]
    h = model.vision_tower.vision_model.hidden_state(torch.from_numpy(np.stack(px)), model.config.vision_feature_layer)[:, 1:].reshape(-1, VISION.hidden_size)
    p = model.multi_modal_projector
    torch.nn.init.normal_(p.linear_1.weight, 0.0, 1.0 / math.sqrt(VISION.hidden_size))
    torch.nn.init.normal_(p.linear_2.weight, 0.0, 1.0 / math.sqrt(TEXT.hidden_size))
    p.linear_1.bias.copy_(-(h @ p.linear_1.weight.t()).mean(0))
    g = F.gelu(p.linear_1(h))
    p.linear_2.bias.copy_(-(g @ p.linear_2.weight.t()).mean(0))
    f = p(h)
    print(f"projector init: features rms {f.pow(2).mean().sqrt():.3f}, of which shared {f.mean(0).pow(2).mean().sqrt():.3f}", flush=True)


def lr_at(step: int, steps: int, peak: float, warmup: int) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    t = (step - warmup) / max(1, steps - warmup)
    return peak * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * t)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True, help="training world folder")
    ap.add_argument("--val", required=True, help="validation world folder (evaluated during training)")
    ap.add_argument("--warm", help="warm-up world (scenes of 1-3 objects): the first --warm-steps steps, then a --warm-share of rows")
    ap.add_argument("--warm-steps", type=int, default=150)
    ap.add_argument("--warm-share", type=float, default=0.15)
    ap.add_argument("--out", required=True, help="where to write the PyTorch state dict")
    ap.add_argument("--results", required=True, help="folder for the loss curve and metrics JSON")
    ap.add_argument("--steps", type=int, default=800)
    ap.add_argument("--rows", type=int, default=6, help="packed rows per step")
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--warmup", type=int, default=60)
    ap.add_argument("--aux", type=float, default=0.5, help="weight of the auxiliary patch-label loss in stage 2")
    ap.add_argument("--vision-steps", type=int, default=600, help="stage 1: vision tower alone on patch labels")
    ap.add_argument("--vision-batch", type=int, default=48)
    ap.add_argument("--vision-lr", type=float, default=2e-3)
    ap.add_argument("--stage1", help="cache of stage 1's result: written if absent, loaded if present (same arguments only)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    cfg = model_config()
    tok = WordTokenizer(vocabulary())
    assert len(tok.words) <= TEXT.vocab_size
    model = LlavaForConditionalGeneration(cfg)
    init_weights(model, TEXT.num_hidden_layers)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params / 1e6:.2f} M parameters, {cfg.tokens_per_image} tokens per image", flush=True)

    scenes, questions = load_world(args.train)
    warm = load_world(args.warm) if args.warm else None
    val_scenes, val_questions = load_world(args.val)
    batcher = Batcher(tok, VISION.image_size, cfg.tokens_per_image)

    probe = CellProbe(VISION.hidden_size)
    vision_log: list = []
    if args.stage1 and os.path.exists(args.stage1):
        state = torch.load(args.stage1)
        model.load_state_dict(state["model"])
        probe.load_state_dict(state["probe"])
        vision_log = state["log"]
        print(f"stage 1 loaded from {args.stage1}", flush=True)
    else:
        pretrain_vision(model, probe, scenes, rng, args.vision_steps, args.vision_batch, args.vision_lr, vision_log)
        if args.stage1:
            torch.save({"model": model.state_dict(), "probe": probe.state_dict(), "log": vision_log}, args.stage1)
    init_projector(model, scenes, rng)
    params = list(model.named_parameters()) + [("probe." + n, p) for n, p in probe.named_parameters()]
    decay = [p for n, p in params if p.dim() >= 2]
    no_decay = [p for n, p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.98), eps=1e-8)

    grid = VISION.image_size // VISION.patch_size
    queues: dict[str, list] = {"main": [], "warm": []}

    def take(name: str, n: int) -> list:
        q = queues[name]
        if len(q) < n:
            s, qs = (scenes, questions) if name == "main" else warm
            fresh = plan_rows(rng, s, qs, grid)
            q += [fresh[i] for i in rng.permutation(len(fresh))]
            print(f"{name}: {len(fresh)} rows planned", flush=True)
        out, queues[name] = q[:n], q[n:]
        return out

    curve, evals = [], []
    t0 = time.time()
    cpu0 = time.process_time()
    seen_answers = 0
    os.makedirs(args.results, exist_ok=True)
    for step in range(args.steps):
        # warm-up: scenes of 1-3 objects, where even uniform attention over the image reads the
        # answer, so the decoder learns to take it from the image tokens; then mostly the real world
        if warm is not None and step < args.warm_steps:
            batch_rows = take("warm", args.rows)
        else:
            n_warm = int(rng.binomial(args.rows, args.warm_share)) if warm is not None else 0
            batch_rows = take("warm", n_warm) + take("main", args.rows - n_warm)
        batch = batcher.build(batch_rows)
        lr = lr_at(step, args.steps, args.lr, args.warmup)
        for g in opt.param_groups:
            g["lr"] = lr
        model.train()
        h = model.vision_tower.vision_model.hidden_state(batch["pixel_values"], cfg.vision_feature_layer)[:, 1:]
        aux, _ = probe.loss(h, batch["cell_labels"])
        feats = model.multi_modal_projector(h)
        logits, _ = model(batch["input_ids"], image_features=feats, positions_only=batch["positions_only"], position_ids=batch["position_ids"], attn_bias=batch["attn_bias"])
        loss_all = F.cross_entropy(logits, batch["targets"], reduction="none")
        answer_loss = loss_all[0::2].mean().item()  # targets alternate answer, </s>
        loss = loss_all.mean() + args.aux * aux
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_([p for _, p in params], 1.0).item()
        opt.step()
        seen_answers += len(batch["answer_at"])
        elapsed = time.time() - t0
        curve.append({"step": step + 1, "loss": round(loss.item(), 5), "answerLoss": round(answer_loss, 5), "auxLoss": round(aux.item(), 5), "lr": lr, "gradNorm": round(gnorm, 4), "answers": seen_answers, "seconds": round(elapsed, 1), "cpuSeconds": round(time.process_time() - cpu0, 1)})
        if (step + 1) % 10 == 0:
            print(f"step {step + 1}/{args.steps} loss {loss.item():.4f} answer {answer_loss:.4f} aux {aux.item():.4f} lr {lr:.2e} |g| {gnorm:.2f} tokens {batch['input_ids'].numel()} {elapsed:.0f}s", flush=True)
        if (step + 1) % args.eval_every == 0 or step + 1 == args.steps:
            m = evaluate(model, batcher, val_scenes, val_questions, modes=("single", "oracle"))
            evals.append({"step": step + 1, "seconds": round(time.time() - t0, 1), **{k: m[k]["accuracy"] for k in m}, "byFamily": {k: {f: v["accuracy"] for f, v in m[k]["byFamily"].items()} for k in m}})
            print(f"  val @ {step + 1}: " + ", ".join(f"{k} {m[k]['accuracy']:.3f}" for k in m) + "  single by family: " + ", ".join(f"{f} {v['accuracy']:.2f}" for f, v in m["single"]["byFamily"].items()), flush=True)
            torch.save(model.state_dict(), args.out)
            with open(os.path.join(args.results, "training.json"), "w") as f:
                json.dump({"args": vars(args), "parameters": n_params, "vision": vision_log, "wallSeconds": round(time.time() - t0, 1), "cpuSeconds": round(time.process_time() - cpu0, 1), "curve": curve, "val": evals}, f, indent=1)
    print(f"done in {time.time() - t0:.0f} s wall, {time.process_time() - cpu0:.0f} s CPU", flush=True)


if __name__ == "__main__":
    main()
