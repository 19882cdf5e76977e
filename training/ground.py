"""Stage 3: continued training from the shipped checkpoint, optionally with a grounding loss.

Starts from a Hugging Face checkpoint folder written by export_hf.py (resources/models/laser-demo
is stage 2's result) and trains on the same question mix as stage 2 (train.py), with a lower,
fixed learning-rate schedule. With --ground W > 0 it adds W times the grounding loss: for every
single-image question with a target box, the cross-entropy between the box's share of each grid
cell (overlap area over box area) and the head-mean attention of the answer position (the last
prompt token, the position whose attention LASER reads) onto the first image's tokens, raw
probabilities over the whole key sequence as LASER reads them, in each of the --ground-layers.

    -sum_j t_j log( mean_h a[l, h, last, image_j] )

The loss is lowest when every head of those layers puts all its mass on the target's cells: it
pulls attention off the attention sink (BOS) onto the image and, on the image, onto the object.
With --ground 0 the same steps are plain continued training (the variant without the loss).
Reproducible: --seed for torch and numpy, fixed step counts, torch.set_num_threads(2).
"""
import argparse
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F

from evaluate_world import evaluate
from export_hf import write_safetensors
from llava_model import LlavaForConditionalGeneration
from preprocess import cells_over_box
from tokenizer import WordTokenizer, vocabulary
from train import TEXT, VISION, CellProbe, lr_at, model_config
from world_data import Batcher, Row, Segment, load_world, plan_rows, target_box

NP_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path: str) -> dict[str, torch.Tensor]:
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=NP_DTYPES[meta["dtype"]]).reshape(meta["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def load_checkpoint(folder: str) -> LlavaForConditionalGeneration:
    """The model of a checkpoint folder export_hf.py wrote; checks that writing it back gives the same bytes."""
    path = os.path.join(folder, "model.safetensors")
    state = read_safetensors(path)
    model = LlavaForConditionalGeneration(model_config())
    missing, unexpected = model.load_state_dict(state, strict=True), None
    tmp = "/tmp/ground-roundtrip.safetensors"
    write_safetensors(tmp, {k: v.float() for k, v in model.state_dict().items()}, {"format": "pt"})
    with open(tmp, "rb") as a, open(path, "rb") as b:
        same = a.read() == b.read()
    os.remove(tmp)
    if not same:
        raise SystemExit(f"{path}: writing the loaded weights back does not give the same bytes; is it export_hf.py's output?")
    print(f"loaded {path}: {len(state)} tensors, round trip exact", flush=True)
    return model


def ground_targets(batch_rows, answer_at, T: int, grid: int):
    """For each segment of the batch, in answer_at order: the cell weights of its target box
    ([T], sums to 1) if it is a single-image question with a target on an unmasked image, else None."""
    segs = [(row, s) for row in batch_rows for s in row.segments]
    assert len(segs) == len(answer_at)
    out = []
    for row, s in segs:
        box = target_box(s.question)
        if s.crop is not None or row.mask_rects or box is None:
            out.append(None)
            continue
        t = np.zeros(T)
        for r, c, ov in cells_over_box(row.scene["width"], row.scene["height"], grid, box):
            t[r * grid + c] += ov
        out.append(t / t.sum())
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--init", required=True, help="checkpoint folder to start from (export_hf.py output)")
    ap.add_argument("--train", required=True)
    ap.add_argument("--warm", help="warm-up world (1-3 objects): a --warm-share of rows, as in stage 2")
    ap.add_argument("--warm-share", type=float, default=0.15)
    ap.add_argument("--val", required=True)
    ap.add_argument("--out", required=True, help="where to write the PyTorch state dict")
    ap.add_argument("--log", required=True, help="JSON log of the run")
    ap.add_argument("--steps", type=int, default=450)
    ap.add_argument("--rows", type=int, default=6)
    ap.add_argument("--lr", type=float, default=6e-4)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--ground", type=float, default=0.0, help="weight of the grounding loss (0: plain continued training)")
    ap.add_argument("--ground-layers", default="2,3", help="decoder layers whose answer-position attention is supervised")
    ap.add_argument("--no-query", type=float, default=0.0, help="weight of the loss that keeps the no-query pass's attention off the target's cells at the supervised layers")
    ap.add_argument("--contrast", type=float, default=0.0, help="weight of the loss on LASER's own map at the supervised layers: -log of the mass of the normalised ReLU(a_q - a_0) head mean on the target's cells")
    ap.add_argument("--vaq-rank", type=float, default=0.0, help="weight of the hinge that makes a supervised layer's VAQ the largest: ReLU(log max VAQ elsewhere - log max VAQ supervised + log 1.25)")
    ap.add_argument("--aux", type=float, default=0.5, help="weight of the patch-label loss (fresh linear probe), as in stage 2")
    ap.add_argument("--eval-first", action="store_true", help="also evaluate the starting checkpoint")
    ap.add_argument("--probe-warmup", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-every", type=int, default=150)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    cfg = model_config()
    tok = WordTokenizer(vocabulary())
    model = load_checkpoint(args.init)
    layers = [int(x) for x in args.ground_layers.split(",") if x != ""]
    assert all(0 <= l < TEXT.num_hidden_layers for l in layers), "--ground-layers: decoder layers 0..5"
    scenes, questions = load_world(args.train)
    warm = load_world(args.warm) if args.warm else None
    val_scenes, val_questions = load_world(args.val)
    T = cfg.tokens_per_image
    grid = cfg.grid
    batcher = Batcher(tok, VISION.image_size, T)
    img0 = len(batcher.prefix) - 1  # the first image's tokens start here in every row

    # stage 1's probe heads were not shipped: a fresh probe, trained from here on, keeps the patch
    # features labelled (its gradient reaches the vision tower as in stage 2)
    probe = CellProbe(VISION.hidden_size)
    params = list(model.named_parameters()) + [("probe." + n, p) for n, p in probe.named_parameters()]
    decay = [p for n, p in params if p.dim() >= 2]
    no_decay = [p for n, p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.98), eps=1e-8)

    queues: dict[str, list] = {"main": [], "warm": []}

    def take(name: str, n: int) -> list:
        q = queues[name]
        if len(q) < n:
            s, qs = (scenes, questions) if name == "main" else warm
            fresh = plan_rows(rng, s, qs, grid)
            q += [fresh[i] for i in rng.permutation(len(fresh))]
        out, queues[name] = q[:n], q[n:]
        return out

    def val(step: int) -> dict:
        m = evaluate(model, batcher, val_scenes, val_questions, modes=("single", "oracle"))
        e = {"step": step, **{k: m[k]["accuracy"] for k in m}, "byFamily": {k: {f: v["accuracy"] for f, v in m[k]["byFamily"].items()} for k in m}, "existenceNo": m["single"]["existenceNo"]["accuracy"]}
        print(f"  val @ {step}: " + ", ".join(f"{k} {m[k]['accuracy']:.3f}" for k in m) + "  single: " + ", ".join(f"{f} {v['accuracy']:.2f}" for f, v in m["single"]["byFamily"].items()), flush=True)
        return e

    curve, evals = [], ([val(0)] if args.eval_first else [])
    t0, cpu0 = time.time(), time.process_time()
    for step in range(args.steps):
        n_warm = int(rng.binomial(args.rows, args.warm_share)) if warm is not None else 0
        rows = take("warm", n_warm) + take("main", args.rows - n_warm)
        batch = batcher.build(rows)
        lr = lr_at(step, args.steps, args.lr, args.warmup)
        for g in opt.param_groups:
            g["lr"] = lr
        model.train()
        h = model.vision_tower.vision_model.hidden_state(batch["pixel_values"], cfg.vision_feature_layer)[:, 1:]
        # the fresh probe reads detached features until it has learnt them (--probe-warmup steps), so
        # that its first, random gradients do not reach the vision tower
        aux, _ = probe.loss(h.detach() if step < args.probe_warmup else h, batch["cell_labels"])
        feats = model.multi_modal_projector(h)
        logits, attn = model(batch["input_ids"], image_features=feats, positions_only=batch["positions_only"], position_ids=batch["position_ids"], attn_bias=batch["attn_bias"], output_attentions=True)
        loss_all = F.cross_entropy(logits, batch["targets"], reduction="none")
        answer_loss = loss_all[0::2].mean()
        loss = loss_all.mean() + args.aux * aux
        # grounding: the answer position's head-mean attention onto the first image, per layer
        targets = ground_targets(rows, batch["answer_at"], T, grid)
        sel = [(b, p, t) for (b, p, _), t in zip(batch["answer_at"], targets) if t is not None]
        mass = {}
        g_loss = torch.zeros(())
        if sel:
            bi = torch.tensor([b for b, _, _ in sel])
            pi = torch.tensor([p for _, p, _ in sel])
            tt = torch.tensor(np.stack([t for _, _, t in sel]), dtype=torch.float32)
            for l in range(TEXT.num_hidden_layers):
                a = attn[l][bi, :, pi, img0:img0 + T].mean(1)  # [n, T]
                if l in layers:
                    g_loss = g_loss - (tt * torch.log(a + 1e-9)).sum(-1).mean() / len(layers)
                with torch.no_grad():
                    mass[l] = [round(float((a * (tt > 0)).sum(-1).mean()), 4), round(float(a.sum(-1).mean()), 4)]
        if args.ground > 0:
            loss = loss + args.ground * g_loss
        # LASER reads ReLU(a_q - a_0): a sharp a_q is no use where the no-query pass (question
        # removed, instruction kept) looks at the same cells. --no-query W pushes a_0's mass off
        # the cells of each supervised target, at the supervised layers: W * -log(1 - mass).
        # --contrast and --vaq-rank supervise what LASER computes from the two passes: the map
        # M = normalised head mean of ReLU(a_q - a_0) at the supervised layers, and VAQ per layer
        # (mean over heads of ||ReLU(a_q - a_0)||, kHead 8 capped at 3 heads), so that argmax VAQ
        # lands on a supervised layer.
        nq_loss, c_loss, r_loss = torch.zeros(()), torch.zeros(()), torch.zeros(())
        if (args.no_query > 0 or args.contrast > 0 or args.vaq_rank > 0) and sel:
            seg_rows = [b for row_i, row in enumerate(rows) for b in [row_i] * len(row.segments)]
            need = sorted({seg_rows[k] for k, t in enumerate(targets) if t is not None})
            nq = batcher.build([Row(rows[i].scene, [], [Segment({**rows[i].segments[0].question, "text": ""}, None)]) for i in need], with_answers=False)
            _, attn0 = model(nq["input_ids"], nq["pixel_values"], position_ids=nq["position_ids"], attn_bias=nq["attn_bias"], output_attentions=True)
            where = {row_i: (b, p) for row_i, (b, p, _) in zip(need, nq["answer_at"])}
            cells = [(where[seg_rows[k]], t) for k, t in enumerate(targets) if t is not None]
            b0 = torch.tensor([w[0] for w, _ in cells])
            p0 = torch.tensor([w[1] for w, _ in cells])
            on = torch.tensor(np.stack([t > 0 for _, t in cells]), dtype=torch.float32)
            for l in layers:
                m0 = (attn0[l][b0, :, p0, img0:img0 + T].mean(1) * on).sum(-1)
                nq_loss = nq_loss - torch.log((1 - m0).clamp_min(1e-6)).mean() / len(layers)
            if args.contrast > 0 or args.vaq_rank > 0:
                vaq = []
                for l in range(TEXT.num_hidden_layers):
                    A = torch.relu(attn[l][bi, :, pi, img0:img0 + T] - attn0[l][b0, :, p0, img0:img0 + T])  # [n, H, T]
                    vaq.append(torch.sqrt((A * A).sum(-1) + 1e-12).mean(-1))
                    if l in layers:
                        M = A.mean(1)
                        c_loss = c_loss - torch.log(((M * on).sum(-1) + 1e-6) / (M.sum(-1) + 1e-6)).mean() / len(layers)
                vaq = torch.stack(vaq, -1)  # [n, L]
                others = [l for l in range(TEXT.num_hidden_layers) if l not in layers]
                r_loss = torch.relu(torch.log(vaq[:, others].max(-1).values + 1e-6) - torch.log(vaq[:, layers].max(-1).values + 1e-6) + float(np.log(1.25))).mean()
            loss = loss + args.no_query * nq_loss + args.contrast * c_loss + args.vaq_rank * r_loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_([p for _, p in params], 1.0).item()
        opt.step()
        elapsed = time.time() - t0
        curve.append({"step": step + 1, "loss": round(loss.item(), 5), "answerLoss": round(answer_loss.item(), 5), "groundLoss": round(g_loss.item(), 5), "noQueryLoss": round(nq_loss.item(), 5), "contrastLoss": round(c_loss.item(), 5), "vaqRankLoss": round(r_loss.item(), 5), "auxLoss": round(aux.item(), 5), "lr": lr, "gradNorm": round(gnorm, 4), "boxCellMassAndImageMass": mass, "seconds": round(elapsed, 1)})
        if (step + 1) % 10 == 0:
            recent = curve[-10:]
            m = {l: np.mean([r["boxCellMassAndImageMass"].get(l, [0, 0])[0] for r in recent]) for l in range(TEXT.num_hidden_layers)}
            print(f"step {step + 1}/{args.steps} answer {np.mean([r['answerLoss'] for r in recent]):.3f} ground {np.mean([r['groundLoss'] for r in recent]):.3f} no-query {np.mean([r['noQueryLoss'] for r in recent]):.3f} contrast {np.mean([r['contrastLoss'] for r in recent]):.3f} vaq-rank {np.mean([r['vaqRankLoss'] for r in recent]):.3f} aux {aux.item():.3f} lr {lr:.1e} box-cell mass by layer " + " ".join(f"{m[l]:.3f}" for l in m) + f" {elapsed:.0f}s", flush=True)
        if (step + 1) % args.eval_every == 0 or step + 1 == args.steps:
            evals.append({**val(step + 1), "seconds": round(time.time() - t0, 1)})
            torch.save(model.state_dict(), args.out)
            with open(args.log, "w") as f:
                json.dump({"args": vars(args), "wallSeconds": round(time.time() - t0, 1), "cpuSeconds": round(time.process_time() - cpu0, 1), "curve": curve, "val": evals}, f, indent=1)
    print(f"done in {time.time() - t0:.0f} s wall, {time.process_time() - cpu0:.0f} s CPU", flush=True)


if __name__ == "__main__":
    main()
