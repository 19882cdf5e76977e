"""PyTorch eager timing of the same equations as the runtime's bundle (training/llava_model.py, the
transformers v4.45 LLaVA math in plain PyTorch): NOT Hugging Face transformers, which cannot run here,
but the proxy `npm run bench -- eager` compares our forward with. Random weights of the bench model's
shape (timing does not depend on the values), float32, output_attentions=True (every layer's
softmax kept, as HF eager returns them).

    python3 bench/torch_eager.py <config.json> <threads> <repeats> [<tokens before image> <after>]

Prints one JSON line: {"ms": [...], "threads": n, "torch": version, "tokens": n, "sgemm_gflops": 1024^3 SGEMM rate, "blas": BLAS_INFO}.
"""
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "training"))
from llava_model import LlavaConfig, LlavaForConditionalGeneration, TextConfig, VisionConfig  # noqa: E402


def main() -> None:
    config_path, threads, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    before = int(sys.argv[4]) if len(sys.argv) > 4 else 9
    after = int(sys.argv[5]) if len(sys.argv) > 5 else 24
    cfg = json.load(open(config_path))
    t, v = cfg["text_config"], cfg["vision_config"]
    config = LlavaConfig(
        vision=VisionConfig(v["hidden_size"], v["intermediate_size"], v["num_hidden_layers"], v["num_attention_heads"], v["image_size"], v["patch_size"]),
        text=TextConfig(t["hidden_size"], t["intermediate_size"], t["num_hidden_layers"], t["num_attention_heads"], t.get("num_key_value_heads", t["num_attention_heads"]), t["vocab_size"], t.get("max_position_embeddings", 4096)),
        image_token_index=cfg["image_token_index"],
        vision_feature_layer=cfg.get("vision_feature_layer", -2),
    )
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = LlavaForConditionalGeneration(config).eval()
    tokens = (config.vision.image_size // config.vision.patch_size) ** 2
    ids = [1] + [3 + (i * 7) % 4000 for i in range(before - 1)] + [config.image_token_index] * tokens + [3 + (i * 7 + 5) % 4000 for i in range(after)]
    input_ids = torch.tensor([ids])
    pixels = torch.sin(torch.arange(3 * config.vision.image_size**2, dtype=torch.float32)).reshape(1, 3, config.vision.image_size, config.vision.image_size)
    times = []
    with torch.no_grad():
        model(input_ids, pixels, output_attentions=True)  # warm-up
        for _ in range(repeats):
            t0 = time.perf_counter()
            logits, attentions = model(input_ids, pixels, output_attentions=True)
            times.append((time.perf_counter() - t0) * 1000)
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    a @ b
    t0 = time.perf_counter()
    for _ in range(5):
        a @ b
    gflops = 2 * 1024**3 / ((time.perf_counter() - t0) / 5) / 1e9
    assert logits.shape == (1, len(ids), config.text.vocab_size) and len(attentions) == config.text.num_hidden_layers
    blas = next((x.split("=", 1)[1].split(",")[0] for x in torch.__config__.show().split() if x.startswith("BLAS_INFO=")), "?")
    print(json.dumps({"ms": times, "threads": torch.get_num_threads(), "torch": torch.__version__, "tokens": len(ids), "sgemm_gflops": gflops, "blas": blas}))


if __name__ == "__main__":
    main()
