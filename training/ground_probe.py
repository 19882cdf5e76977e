"""Per-layer view of what LASER reads, in PyTorch: for each question with a target box, the answer
position's attention onto the image with the question (a_q) and without it (a_0, the spec's
default 'instruction-only' prompt), the contrast A = ReLU(a_q - a_0) per head, VAQ per layer (the
mean over the heads of ||A_h||: kHead 8 is capped at this model's 3 heads) and the head-mean map
M. Prints, per layer, the mean VAQ, how often it would be LASER's layer, and the share of M's mass
(and of a_q's image mass) inside the target's box over the box's area share, for small targets
and for all. Used to choose the grounding loss's layers (ground.py)."""
import argparse
import json

import numpy as np
import torch

from ground import load_checkpoint
from preprocess import cells_over_box
from tokenizer import WordTokenizer, vocabulary
from train import TEXT, VISION, model_config
from world_data import Batcher, Row, Segment, load_world, target_box


@torch.no_grad()
def last_row_attention(model, batcher, scene, questions, instruction_only: bool):
    """[n, L, H, T] attention of each prompt's last position onto the first image's tokens."""
    segs = [Segment({**q, "text": ""} if instruction_only else q, None) for q in questions]
    batch = batcher.build([Row(scene, [], segs)], with_answers=False)
    _, attn = model(batch["input_ids"], batch["pixel_values"], position_ids=batch["position_ids"], attn_bias=batch["attn_bias"], output_attentions=True)
    img0 = len(batcher.prefix) - 1
    T = batcher.T
    pos = [p for _, p, _ in batch["answer_at"]]
    return torch.stack([torch.stack([a[0, :, p, img0:img0 + T] for a in attn]) for p in pos])


def box_share(scene, box, grid: int) -> np.ndarray:
    """[T] the share of each cell's area inside the box (a map's mass inside the box is sum M_j * share_j)."""
    s = max(scene["width"], scene["height"])
    cell = (s / grid) ** 2
    out = np.zeros(grid * grid)
    for r, c, ov in cells_over_box(scene["width"], scene["height"], grid, box):
        out[r * grid + c] = ov / cell
    return out


def setup(model_folder: str, world: str, keep):
    """The model, batcher and world of a probe, one thread; by_scene: the attribute, relation and
    glyph questions with a target box for which keep(question) holds, by scene."""
    torch.set_num_threads(1)
    cfg = model_config()
    model = load_checkpoint(model_folder).eval()
    batcher = Batcher(WordTokenizer(vocabulary()), VISION.image_size, cfg.tokens_per_image)
    scenes, questions = load_world(world)
    by_scene: dict = {}
    for q in questions:
        if target_box(q) is not None and q["family"] != "existence" and keep(q):
            by_scene.setdefault(q["sceneId"], []).append(q)
    return cfg, model, batcher, scenes, by_scene


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="checkpoint folder")
    ap.add_argument("--data", required=True, help="world folder")
    ap.add_argument("--scenes", type=int, default=60)
    ap.add_argument("--out", help="JSON of the per-layer figures")
    args = ap.parse_args()
    cfg, model, batcher, scenes, by_scene = setup(args.model, args.data, lambda q: True)
    L = TEXT.num_hidden_layers
    rec = []
    for sid in list(by_scene)[: args.scenes]:
        qs = by_scene[sid]
        aq = last_row_attention(model, batcher, scenes[sid], qs, False)
        a0 = last_row_attention(model, batcher, scenes[sid], qs, True)
        A = torch.relu(aq - a0)  # [n, L, H, T]
        vaq = A.norm(dim=-1).mean(-1)  # [n, L]
        for i, q in enumerate(qs):
            share = box_share(scenes[sid], target_box(q), cfg.grid)
            b = target_box(q)
            area = (b[2] - b[0]) * (b[3] - b[1]) / max(scenes[sid]["width"], scenes[sid]["height"]) ** 2
            M = A[i].mean(1).numpy()  # [L, T]
            tot = M.sum(-1)
            mass = np.where(tot > 0, (M * share).sum(-1) / np.maximum(tot, 1e-12), 0.0)
            qa = aq[i].mean(1).numpy()
            rec.append({"family": q["family"], "size": q["sizeClass"], "vaq": vaq[i].tolist(), "choice": int(vaq[i].argmax()), "area": area, "map": mass.tolist(), "aq": ((qa * share).sum(-1) / qa.sum(-1)).tolist(), "imageMass": qa.sum(-1).tolist()})
    out = {}
    for name, sel in (("all", rec), ("small", [r for r in rec if r["size"] == "small"]), ("attribute", [r for r in rec if r["family"] == "attribute"]), ("relation", [r for r in rec if r["family"] == "relation"])):
        if not sel:
            continue
        row = {"n": len(sel), "layers": []}
        area = float(np.mean([r["area"] for r in sel]))  # ratios of means, as the report's map / uniform
        for l in range(L):
            row["layers"].append({"layer": l, "vaq": float(np.mean([r["vaq"][l] for r in sel])), "chosen": sum(r["choice"] == l for r in sel), "mapOverChance": float(np.mean([r["map"][l] for r in sel]) / area), "aqOverChance": float(np.mean([r["aq"][l] for r in sel]) / area), "imageMass": float(np.mean([r["imageMass"][l] for r in sel]))})
        row["chosenMapOverChance"] = float(np.mean([r["map"][r["choice"]] for r in sel]) / area)
        out[name] = row
        print(f"{name} (n {len(sel)}): at LASER's layer, map / chance {row['chosenMapOverChance']:.1f}x")
        for x in row["layers"]:
            print(f"  layer {x['layer']}: VAQ {x['vaq']:.4f} chosen {x['chosen']:4d}  map/chance {x['mapOverChance']:5.1f}x  a_q/chance {x['aqOverChance']:5.1f}x  image mass {x['imageMass']:.3f}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
