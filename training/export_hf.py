"""Writes a trained state dict as a Hugging Face llava checkpoint folder (what
`LlavaForConditionalGeneration.save_pretrained` + `LlavaProcessor.save_pretrained` write):
config.json, model.safetensors (float32, sorted names, 8-byte aligned header), tokenizer.json,
tokenizer_config.json (with the chat template), preprocessor_config.json, processor_config.json,
generation_config.json. No transformers or safetensors package needed."""
import argparse
import json
import os
import struct

import numpy as np
import torch

from preprocess import CLIP_MEAN, CLIP_STD
from tokenizer import BOS, EOS, IMAGE, PAD, tokenizer_config, tokenizer_json, vocabulary
from train import TEXT, VISION, model_config

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.int64: "I64"}


def write_safetensors(path: str, tensors: dict[str, torch.Tensor], metadata: dict | None = None) -> None:
    header: dict = {"__metadata__": metadata} if metadata else {}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        raw = t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def config_json() -> dict:
    cfg = model_config()
    return {
        "architectures": ["LlavaForConditionalGeneration"],
        "model_type": "llava",
        "ignore_index": -100,
        "image_token_index": IMAGE,
        "image_seq_length": cfg.tokens_per_image,
        "projector_hidden_act": "gelu",
        "multimodal_projector_bias": True,
        "vision_feature_layer": cfg.vision_feature_layer,
        "vision_feature_select_strategy": "default",
        "pad_token_id": PAD,
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
        "transformers_version": "4.45.2",
        "text_config": {
            "model_type": "llama",
            "architectures": ["LlamaForCausalLM"],
            "hidden_size": TEXT.hidden_size,
            "intermediate_size": TEXT.intermediate_size,
            "num_hidden_layers": TEXT.num_hidden_layers,
            "num_attention_heads": TEXT.num_attention_heads,
            "num_key_value_heads": TEXT.num_key_value_heads,
            "head_dim": TEXT.head_dim,
            "hidden_act": "silu",
            "max_position_embeddings": TEXT.max_position_embeddings,
            "rms_norm_eps": TEXT.rms_norm_eps,
            "rope_theta": TEXT.rope_theta,
            "rope_scaling": None,
            "attention_bias": False,
            "mlp_bias": False,
            "vocab_size": TEXT.vocab_size,
            "bos_token_id": BOS,
            "eos_token_id": EOS,
            "pad_token_id": PAD,
            "tie_word_embeddings": False,
            "torch_dtype": "float32",
        },
        "vision_config": {
            "model_type": "clip_vision_model",
            "hidden_size": VISION.hidden_size,
            "intermediate_size": VISION.intermediate_size,
            "num_hidden_layers": VISION.num_hidden_layers,
            "num_attention_heads": VISION.num_attention_heads,
            "image_size": VISION.image_size,
            "patch_size": VISION.patch_size,
            "num_channels": VISION.num_channels,
            "layer_norm_eps": VISION.layer_norm_eps,
            "hidden_act": "quick_gelu",
            "projection_dim": VISION.hidden_size,
        },
    }


def preprocessor_config() -> dict:
    s = VISION.image_size
    return {
        "image_processor_type": "CLIPImageProcessor",
        "processor_class": "LlavaProcessor",
        "do_convert_rgb": True,
        "do_resize": True,
        "size": {"shortest_edge": s},
        "resample": 3,
        "do_center_crop": True,
        "crop_size": {"height": s, "width": s},
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": list(CLIP_MEAN),
        "image_std": list(CLIP_STD),
    }


def export(state_dict: dict, out: str) -> None:
    os.makedirs(out, exist_ok=True)
    words = vocabulary()
    files = {
        "config.json": config_json(),
        "tokenizer.json": tokenizer_json(words),
        "tokenizer_config.json": tokenizer_config(),
        "preprocessor_config.json": preprocessor_config(),
        "processor_config.json": {"processor_class": "LlavaProcessor", "patch_size": VISION.patch_size, "vision_feature_select_strategy": "default", "num_additional_image_tokens": 1},
        "generation_config.json": {"bos_token_id": BOS, "eos_token_id": EOS, "pad_token_id": PAD, "do_sample": False, "max_new_tokens": 8, "transformers_version": "4.45.2"},
    }
    for name, obj in files.items():
        with open(os.path.join(out, name), "w") as f:
            json.dump(obj, f, indent=2, ensure_ascii=False)
            f.write("\n")
    tensors = {k: v.float() for k, v in state_dict.items()}
    write_safetensors(os.path.join(out, "model.safetensors"), tensors, {"format": "pt"})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True, help="state dict written by train.py")
    ap.add_argument("--out", required=True, help="checkpoint folder to write")
    args = ap.parse_args()
    export(torch.load(args.weights), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
