"""Held-out metrics of a trained model on a test world (a seed never used in training):
accuracy on the full image alone vs on [image, oracle crop] (the crop LASER's Con-ViCrop rule
would take if its map peaked on the target), overall, per family and per size class."""
import argparse
import json
import os
import time

import torch

from evaluate_world import evaluate
from tokenizer import WordTokenizer, vocabulary
from train import load_trained, model_config
from world_data import Batcher, load_world


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--test", required=True, help="test world folder")
    ap.add_argument("--out", required=True, help="metrics JSON to write")
    args = ap.parse_args()
    torch.set_num_threads(2)
    cfg = model_config()
    model = load_trained(args.weights)
    tok = WordTokenizer(vocabulary())
    scenes, questions = load_world(args.test)
    t0 = time.time()
    m = evaluate(model, Batcher(tok, cfg.vision.image_size, cfg.tokens_per_image), scenes, questions)
    with open(os.path.join(args.test, "manifest.json")) as f:
        seed = json.load(f)["seed"]
    report = {"testWorld": {"seed": seed, "scenes": len(scenes), "questions": len(questions)}, "seconds": round(time.time() - t0, 1), **m}
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    fmt = lambda r: "  -  " if r["accuracy"] is None else f"{r['accuracy']:.3f}"
    print(f"{'':22s} {'full':>6s} {'crop':>6s}   n")
    print(f"{'all':22s} {fmt(m['single']):>6s} {fmt(m['oracle']):>6s} {m['single']['n']:4d}")
    for group in ("byFamily", "bySize"):
        for k in m["single"][group]:
            print(f"{k:22s} {fmt(m['single'][group][k]):>6s} {fmt(m['oracle'][group][k]):>6s} {m['single'][group][k]['n']:4d}")
    for k in m["single"]["byFamilySize"]:
        print(f"{k:22s} {fmt(m['single']['byFamilySize'][k]):>6s} {fmt(m['oracle']['byFamilySize'][k]):>6s} {m['single']['byFamilySize'][k]['n']:4d}")


if __name__ == "__main__":
    main()
