"""Accuracy of the model on a world: the greedy first answer token against the one-word answer,
on the full image alone ('single') and on [image, crop centred on the target] ('oracle'), overall
and per family and size class."""
import torch

from world_data import Batcher, eval_rows


@torch.no_grad()
def predict(model, batcher: Batcher, rows, rows_per_batch: int = 8) -> list[tuple[dict, int]]:
    model.eval()
    out = []
    for i in range(0, len(rows), rows_per_batch):
        chunk = rows[i:i + rows_per_batch]
        batch = batcher.build(chunk, with_answers=False)
        where = torch.zeros_like(batch["input_ids"], dtype=torch.bool)
        for b, p, _ in batch["answer_at"]:
            where[b, p] = True
        logits, _ = model(batch["input_ids"], batch["pixel_values"], positions_only=where, position_ids=batch["position_ids"], attn_bias=batch["attn_bias"])
        # boolean indexing reads row-major; answer_at is already in that order (rows, then positions)
        preds = logits.argmax(-1).tolist()
        segs = [s for row in chunk for s in row.segments]
        out += [(s.question, p) for s, p in zip(segs, preds)]
    return out


def summarize(pairs, tok_words) -> dict:
    def acc(items):
        return {"accuracy": (sum(ok for _, ok in items) / len(items)) if items else None, "n": len(items)}

    scored = [(q, p < len(tok_words) and tok_words[p] == q["answer"]) for q, p in pairs]
    res = acc(scored)
    res["byFamily"] = {f: acc([x for x in scored if x[0]["family"] == f]) for f in ("attribute", "existence", "relation", "glyph")}
    res["bySize"] = {s: acc([x for x in scored if x[0]["sizeClass"] == s]) for s in ("small", "medium", "large")}
    res["byFamilySize"] = {f"{f}/{s}": acc([x for x in scored if x[0]["family"] == f and x[0]["sizeClass"] == s]) for f in ("attribute", "existence", "relation", "glyph") for s in ("small", "medium", "large")}
    res["existenceNo"] = acc([x for x in scored if x[0]["family"] == "existence" and x[0]["answer"] == "no"])
    return res


def evaluate(model, batcher: Batcher, scenes: dict, questions: list[dict], modes=("single", "oracle")) -> dict:
    return {m: summarize(predict(model, batcher, eval_rows(scenes, questions, m)), batcher.tok.words) for m in modes}
