"""The issue-15 figures of `laser world evaluate --methods vanilla,laser` reports, one row per
(model, world) pair: accuracy overall and on small targets (all families, and per family), LASER's map mass in the small target's box over the box's area share (map / uniform), the
share of the small target's box inside LASER's crop, and LASER's mean chosen layer by family,
and, when the report records them (`knobs`, newer reports), LASER's knobs as its runs used them.
Writes them as JSON (training/results/grounding-variants.json, crop-rules.json) and prints a
markdown table.

    python3 ground_table.py --out results/grounding-variants.json name=report.json ...
"""
import argparse
import json


def figures(report: dict) -> dict:
    m = report["methods"]
    agg = report["attentionAggregation"]["laser"]
    small = agg["bySize"]["small"]
    fam = report["bySizeInFamily"]

    knobs = report.get("knobs", {}).get("laser")
    layers = report["layers"]["laser"]["byFamily"]
    mean_layer = {f: round(sum(int(k) * v for k, v in c.items()) / max(1, sum(c.values())), 2) for f, c in layers.items()}
    return {
        **({"laserKnobs": knobs} if knobs is not None else {}),
        "questions": report["dataset"]["evaluated"],
        "accuracy": {k: round(m[k]["accuracy"], 4) for k in ("vanilla", "laser")},
        "small": {k: round(m[k]["bySize"]["small"], 4) for k in ("vanilla", "laser")},
        "smallByFamily": {k: {f: (round(fam[k][f]["small"], 4) if fam[k][f]["small"] is not None else None) for f in ("attribute", "relation", "glyph")} for k in ("vanilla", "laser")},
        "byFamily": {k: {f: round(v, 4) for f, v in m[k]["byFamily"].items()} for k in ("vanilla", "laser")},
        "mapOverUniform": round(agg["map"] / agg["uniform"], 2),
        "smallMapOverUniform": round(small["map"] / small["uniform"], 2),
        "boxInCrop": round(agg["crop"], 4),
        "smallBoxInCrop": round(small["crop"], 4),
        "meanLayerByFamily": mean_layer,
        "layersByFamily": layers,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("reports", nargs="+", help="name=report.json")
    args = ap.parse_args()
    rows = {}
    for spec in args.reports:
        name, path = spec.split("=", 1)
        with open(path) as f:
            r = json.load(f)
        rows[name] = {"report": path, "dataset": r["dataset"]["name"], **figures(r)}
    with open(args.out, "w") as f:
        json.dump(rows, f, indent=1)
        f.write("\n")
    print("| model / world | all: vanilla | all: laser | small: vanilla | small: laser | small gain | small map / uniform | small box in crop | mean layer: attribute / relation / glyph / existence |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, x in rows.items():
        a, s, ml = x["accuracy"], x["small"], x["meanLayerByFamily"]
        print(f"| {name} | {100 * a['vanilla']:.1f} | {100 * a['laser']:.1f} | {100 * s['vanilla']:.1f} | {100 * s['laser']:.1f} | {100 * (s['laser'] - s['vanilla']):+.1f} | {x['smallMapOverUniform']:.1f}x | {100 * x['smallBoxInCrop']:.1f} | {ml.get('attribute')} / {ml.get('relation')} / {ml.get('glyph')} / {ml.get('existence')} |")


if __name__ == "__main__":
    main()
