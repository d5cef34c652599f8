"""A probe for the SR issue: EDSR+'s geometric self-ensemble against one pass of a shipped model.

Each LR test image is upscaled in its 8 flips and rotations, the outputs turned back and averaged
(Lim et al. 2017, "Enhanced Deep Residual Networks", section 4.2); PSNR on Y as ``evaluate``.
Eight times the time of one pass, so it is measured here, not shipped.

    KERAS_BACKEND=torch python benchmarks/sr_self_ensemble.py --model psnr --sets ../shared/data/sr/eval/Set5
"""

import argparse

import keras
import numpy as np

from keras_nst.core.image_io import find_images, load_image
from super_res.evaluate import bicubic, degrade, psnr_ssim_y
from super_res.upscale import load_model, upscale


def ensemble(model, lr):
    total = np.zeros((lr.shape[0] * 4, lr.shape[1] * 4, 3))
    for k in range(4):
        for flip in (False, True):
            x = np.rot90(lr, k)[:, ::-1] if flip else np.rot90(lr, k)
            y = keras.ops.convert_to_numpy(model(np.ascontiguousarray(x, "float32")[None], training=False))[0]
            total += np.rot90(y[:, ::-1] if flip else y, -k)
    return np.clip(total / 8, 0, 255).round().astype(np.uint8)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="psnr")
    ap.add_argument("--sets", nargs="+", required=True, help="folders of HR test images")
    args = ap.parse_args()
    model = load_model(args.model)
    for folder in args.sets:
        scores = {"bicubic": [], "one pass": [], "self-ensemble": []}
        for path in find_images(folder):
            hr, lr = degrade(load_image(path))
            for name, sr in (("bicubic", bicubic(lr)), ("one pass", upscale(model, lr)),
                             ("self-ensemble", ensemble(model, lr))):
                scores[name].append(psnr_ssim_y(hr, sr)[0])
        print(folder, " ".join(f"{k} {np.mean(v):.2f}" for k, v in scores.items()), flush=True)


if __name__ == "__main__":
    main()
