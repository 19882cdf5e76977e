"""Stored inputs and PyTorch outputs of the shipped checkpoint, for test/world/demo-model.test.ts:
the TypeScript side compiles resources/models/laser-demo with our compiler, runs it with our
runtime, and must reproduce these logits; it also rebuilds the inputs with its own tokenizer and
preprocessing and must get the same ids and pixels, which shows that training and the workbench
feed the model identically.

Cases: a single-image prompt and a two-image [image, crop] prompt (the ViCrop/LASER feed) on
scenes of resources/samples."""
import argparse
import json
import os

import numpy as np
import torch

from export_hf import write_safetensors
from preprocess import pixel_values
from tokenizer import IMAGE, WordTokenizer, vocabulary
from train import load_trained, model_config
from world_data import load_world, oracle_crop
from PIL import Image


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--samples", required=True, help="the samples world folder (resources/samples)")
    ap.add_argument("--out", required=True, help="fixture folder (test/world/fixtures)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    cfg = model_config()
    model = load_trained(args.weights)
    tok = WordTokenizer(vocabulary())
    scenes, questions = load_world(args.samples)
    with_target = [q for q in questions if any(t["role"] == "target" for t in q["targets"])]
    picks = [(with_target[0], False), (next(q for q in with_target if q["family"] == "glyph"), True), (next(q for q in with_target if q["family"] == "relation"), True)]
    os.makedirs(args.out, exist_ok=True)
    cases = []
    for k, (q, crop) in enumerate(picks):
        scene = scenes[q["sceneId"]]
        img = Image.open(scene["path"]).convert("RGB")
        box = oracle_crop(scene, q) if crop else None
        images = [pixel_values(img, cfg.vision.image_size)] + ([pixel_values(img.crop(box), cfg.vision.image_size)] if box else [])
        ids = []
        for t in tok.prompt(q["text"], len(images)):
            ids += [IMAGE] * cfg.tokens_per_image if t == IMAGE else [t]
        input_ids = torch.tensor([ids])
        px = torch.from_numpy(np.stack(images))
        with torch.no_grad():
            logits, _ = model(input_ids, px)
        name = f"case-{k}.safetensors"
        write_safetensors(os.path.join(args.out, name), {"input_ids": input_ids, "pixel_values": px, "logits": logits.float()}, {"format": "laser-demo-fixture"})
        answer = tok.words[int(logits[0, -1].argmax())]
        cases.append({"file": name, "sceneId": scene["id"], "image": os.path.relpath(scene["path"], args.samples), "question": q["text"], "instruction": True, "crop": list(box) if box else None, "answer": q["answer"], "pytorchAnswer": answer})
        print(f"{name}: {q['text']} -> {answer} (truth {q['answer']}), {len(ids)} tokens, {len(images)} image(s)")
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump({"checkpoint": "resources/models/laser-demo", "samples": "resources/samples", "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
