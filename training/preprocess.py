"""Image preprocessing exactly as the workbench runs it for this model (src/engine/preprocess/clip.ts,
mode 'pad', the original LLaVA-1.5 path): expand2square onto the mean colour, PIL bicubic resize
to the model's side, rescale in float64 then cast, normalise in float32. The crop and mask
helpers follow the LASER spec (shared/spec/laser-method.md steps 8-9)."""
import numpy as np
from PIL import Image

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
PAD_RGB = tuple(int(m * 255) for m in CLIP_MEAN)  # LLaVA's expand2square background, truncated

_TABLE = None


def _table() -> np.ndarray:
    """[3, 256] float32: the value each byte takes per channel (transformers' rescale + normalize)."""
    global _TABLE
    if _TABLE is None:
        v = (np.arange(256, dtype=np.float64) * (1 / 255)).astype(np.float32)
        mean = np.array(CLIP_MEAN, dtype=np.float32)[:, None]
        std = np.array(CLIP_STD, dtype=np.float32)[:, None]
        _TABLE = ((v[None, :] - mean) / std).astype(np.float32)
    return _TABLE


def expand2square(img: Image.Image) -> tuple[Image.Image, int, int]:
    """LLaVA's expand2square; returns the square image and the paste offset (left, top)."""
    w, h = img.size
    if w == h:
        return img, 0, 0
    s = max(w, h)
    out = Image.new(img.mode, (s, s), PAD_RGB)
    left, top = (s - w) // 2, (s - h) // 2
    out.paste(img, (left, top))
    return out, left, top


def model_input_u8(img: Image.Image, size: int) -> np.ndarray:
    """[size, size, 3] uint8: what the model sees (pad to square, bicubic resize)."""
    sq, _, _ = expand2square(img.convert("RGB"))
    return np.asarray(sq.resize((size, size), Image.BICUBIC), dtype=np.uint8)


def normalize_u8(u8: np.ndarray) -> np.ndarray:
    """[H, W, 3] uint8 -> [3, H, W] float32 pixel_values."""
    t = _table()
    return np.stack([t[c][u8[..., c]] for c in range(3)])


def pixel_values(img: Image.Image, size: int) -> np.ndarray:
    return normalize_u8(model_input_u8(img, size))


def crop_side(extent: int, min_side: int = 224) -> int:
    """Con-ViCrop box side along one axis: min(extent, max(floor(extent / 2), 224))."""
    return min(extent, max(extent // 2, min_side))


def crop_box(width: int, height: int, cx: float, cy: float, bw: int, bh: int) -> tuple[int, int, int, int]:
    """A bw x bh box centred on (cx, cy), shifted to lie inside the image."""
    x0 = int(round(cx - bw / 2))
    y0 = int(round(cy - bh / 2))
    x0 = min(max(0, x0), width - bw)
    y0 = min(max(0, y0), height - bh)
    return x0, y0, x0 + bw, y0 + bh


def cell_rects(width: int, height: int, grid: int, cells: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Pixel rectangles on the original image of grid cells (row, col) of the padded square the model saw."""
    s = max(width, height)
    left, top = (s - width) // 2, (s - height) // 2
    out = []
    for r, c in cells:
        x0 = int(np.floor(c * s / grid)) - left
        x1 = int(np.ceil((c + 1) * s / grid)) - left
        y0 = int(np.floor(r * s / grid)) - top
        y1 = int(np.ceil((r + 1) * s / grid)) - top
        x0, x1 = max(0, x0), min(width, x1)
        y0, y1 = max(0, y0), min(height, y1)
        if x1 > x0 and y1 > y0:
            out.append((x0, y0, x1, y1))
    return out


def cells_over_box(width: int, height: int, grid: int, box) -> list[tuple[int, int, float]]:
    """Grid cells (row, col, overlap in pixels) that the box [x0, y0, x1, y1) touches."""
    s = max(width, height)
    left, top = (s - width) // 2, (s - height) // 2
    x0, y0, x1, y1 = box[0] + left, box[1] + top, box[2] + left, box[3] + top
    cell = s / grid
    out = []
    for r in range(int(y0 // cell), min(grid, int(np.ceil(y1 / cell)))):
        for c in range(int(x0 // cell), min(grid, int(np.ceil(x1 / cell)))):
            ox = min(x1, (c + 1) * cell) - max(x0, c * cell)
            oy = min(y1, (r + 1) * cell) - max(y0, r * cell)
            if ox > 0 and oy > 0:
                out.append((r, c, ox * oy))
    return out


def masked(img: Image.Image, rects) -> Image.Image:
    """The spec's counterfactual: rectangles filled with the normalisation mean (0 after normalising)."""
    out = img.copy()
    for r in rects:
        out.paste(PAD_RGB, r)
    return out
