"""How concentrated LASER's map is on small targets, in PyTorch: for each attribute, relation and
glyph question on a small target, the map M (head mean of ReLU(a_q - a_0) at the layer VAQ
chooses, normalised to sum 1, as ground_probe.py computes it), the share of M on the grid cells the
target's box touches, and whether M's peak cell is one of them. LASER's crop is centred on M's
centroid, so a map with a fifth of its mass on the target puts the crop near the image's middle.

    python3 ground_peak.py --model CHECKPOINT --data WORLD [--scenes 120]
"""
import argparse

import numpy as np
import torch

from ground_probe import last_row_attention, setup
from preprocess import cells_over_box
from world_data import target_box


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="checkpoint folder")
    ap.add_argument("--data", required=True, help="world folder")
    ap.add_argument("--scenes", type=int, default=120)
    args = ap.parse_args()
    cfg, model, batcher, scenes, by_scene = setup(args.model, args.data, lambda q: q["sizeClass"] == "small")
    on_mass, peak_on = [], []
    for sid in list(by_scene)[: args.scenes]:
        qs = by_scene[sid]
        A = torch.relu(last_row_attention(model, batcher, scenes[sid], qs, False) - last_row_attention(model, batcher, scenes[sid], qs, True))
        vaq = A.norm(dim=-1).mean(-1)  # [n, L]
        for i, q in enumerate(qs):
            M = A[i, int(vaq[i].argmax())].mean(0).numpy()
            if M.sum() <= 0:
                on_mass.append(0.0)
                peak_on.append(False)
                continue
            M = M / M.sum()
            cells = [r * cfg.grid + c for r, c, _ in cells_over_box(scenes[sid]["width"], scenes[sid]["height"], cfg.grid, target_box(q))]
            on_mass.append(float(M[cells].sum()))
            peak_on.append(int(M.argmax()) in cells)
    print(f"{args.model}: {len(on_mass)} small targets; map mass on the cells the box touches: mean {np.mean(on_mass):.3f}, median {np.median(on_mass):.3f}; peak cell on the target {np.mean(peak_on):.3f}")


if __name__ == "__main__":
    main()
