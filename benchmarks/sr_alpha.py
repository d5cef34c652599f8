"""Transparency through ``upscale``: the alpha channel upscaled by the network (``upscale_alpha``)
against Pillow's bicubic, on random antialiased shapes (logos, sprites: what has transparency).

Each mask is drawn at 4x its size and shrunk with Lanczos (antialiased edges), then
bicubic-degraded x4 as ``evaluate`` does; PSNR against it, and the faint rings a sharpening network
leaves outside the shapes: the mean and largest alpha where the mask is empty.

    KERAS_BACKEND=torch python benchmarks/sr_alpha.py --models psnr perceptual [--aliased]
"""

import argparse

import numpy as np
from PIL import Image, ImageDraw

from super_res.evaluate import degrade
from super_res.upscale import load_model, upscale_alpha


def masks(n, size, seed=0, aliased=False):
    """``n`` (size, size) uint8 masks of a dozen discs and boxes and a polygon each, antialiased (or
    hard-edged, ``aliased``: pixel art)."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        big = Image.new("L", (4 * size, 4 * size), 0)
        draw = ImageDraw.Draw(big)
        for _ in range(12):
            x, y, r = rng.integers(0, 4 * size, 3)
            r = r // 8 + size // 12
            (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x - r, y - r, x + r, y + r), fill=255)
        draw.polygon([tuple(map(int, rng.integers(0, 4 * size, 2))) for _ in range(5)], fill=255)
        yield np.asarray(big.resize((size, size), Image.NEAREST if aliased else Image.LANCZOS))


def psnr(a, b):
    return 10 * np.log10(255**2 / np.mean((a.astype(float) - b) ** 2))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["psnr", "perceptual"])
    ap.add_argument("--masks", type=int, default=3)
    ap.add_argument("--size", type=int, default=512, help="HR side, px")
    ap.add_argument("--aliased", action="store_true", help="hard-edged shapes (pixel art) instead")
    args = ap.parse_args()
    grey = (np.repeat(m[..., None], 3, axis=-1) for m in masks(args.masks, args.size, aliased=args.aliased))
    pairs = [(hr[..., 0], lr[..., 0]) for hr, lr in (degrade(g, 4) for g in grey)]
    methods = {"bicubic": lambda lr, size: np.asarray(Image.fromarray(lr).resize(size, Image.BICUBIC))}
    for name in args.models:
        model = load_model(name)
        methods[name] = lambda lr, size, model=model: upscale_alpha(model, lr, tile=None)
    for name, method in methods.items():
        outs = [(hr, method(lr, hr.shape[::-1])) for hr, lr in pairs]
        rings = np.concatenate([out[hr == 0] for hr, out in outs])
        print(f"{name:<12} PSNR {np.mean([psnr(out, hr) for hr, out in outs]):.2f} dB | outside the shapes: "
              f"mean alpha {rings.mean():.2f}, largest {rings.max()}", flush=True)


if __name__ == "__main__":
    main()
