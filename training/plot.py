"""The loss curve (and validation accuracy) of training.json as a standalone SVG, no plotting library needed."""
import argparse
import json


def polyline(points, x_of, y_of, colour, width=1.5):
    pts = " ".join(f"{x_of(x):.1f},{y_of(y):.1f}" for x, y in points)
    return f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{width}"/>'


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--training", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    with open(args.training) as f:
        t = json.load(f)
    curve = t["curve"]
    W, H, L, R, T, B = 720, 360, 60, 60, 30, 40
    steps = curve[-1]["step"]
    x_of = lambda s: L + (W - L - R) * s / steps
    ymax = 4.5
    y_loss = lambda v: T + (H - T - B) * (1 - min(v, ymax) / ymax)
    y_acc = lambda v: T + (H - T - B) * (1 - v)
    # a running mean over 20 steps: single steps are noisy batches of ~30 answers
    smooth = []
    for i in range(len(curve)):
        w = curve[max(0, i - 19): i + 1]
        smooth.append((curve[i]["step"], sum(c["answerLoss"] for c in w) / len(w)))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
             f'<rect width="{W}" height="{H}" fill="white"/>',
             f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="#444"/>',
             f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="#444"/>',
             f'<line x1="{W - R}" y1="{T}" x2="{W - R}" y2="{H - B}" stroke="#444"/>']
    for v in range(0, 5):
        parts.append(f'<text x="{L - 6}" y="{y_loss(v) + 4:.1f}" text-anchor="end">{v}</text>')
    for v in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<text x="{W - R + 6}" y="{y_acc(v) + 4:.1f}">{v:.2f}</text>')
    for s in range(0, steps + 1, max(1, steps // 8)):
        parts.append(f'<text x="{x_of(s):.1f}" y="{H - B + 16}" text-anchor="middle">{s}</text>')
    parts.append(polyline([(c["step"], c["answerLoss"]) for c in curve], x_of, y_loss, "#c8d6ee", 1))
    parts.append(polyline(smooth, x_of, y_loss, "#2456c9", 2))
    colours = {"single": "#d7263d", "oracle": "#2e9e44"}
    for k, colour in colours.items():
        pts = [(e["step"], e[k]) for e in t["val"] if e.get(k) is not None]
        if pts:
            parts.append(polyline(pts, x_of, y_acc, colour, 2))
            parts += [f'<circle cx="{x_of(s):.1f}" cy="{y_acc(v):.1f}" r="3" fill="{colour}"/>' for s, v in pts]
    parts.append(f'<text x="{L}" y="{T - 10}">stage 2 answer loss (blue, left, 20-step mean); val accuracy (right): full image (red), [image, oracle crop] (green)</text>')
    parts.append(f'<text x="{(L + W - R) / 2}" y="{H - 8}" text-anchor="middle">step</text>')
    parts.append("</svg>")
    with open(args.out, "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
