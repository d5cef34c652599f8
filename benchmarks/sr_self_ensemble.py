"""EDSR+'s geometric self-ensemble (``upscale --self-ensemble``) against one pass of a model.

Each LR test image is upscaled in its 8 flips and rotations, the outputs turned back and averaged
(Lim et al. 2017, "Enhanced Deep Residual Networks", section 4.2); PSNR on Y as ``evaluate``, and
the time of each way, measured in the same run.

    KERAS_BACKEND=torch python benchmarks/sr_self_ensemble.py --model psnr --sets ../shared/data/sr/eval/Set5
"""

import argparse
import time

import numpy as np

from keras_nst.core.image_io import find_images, load_image
from super_res.evaluate import bicubic, degrade, psnr_ssim_y
from super_res.upscale import load_model, upscale


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="psnr")
    ap.add_argument("--sets", nargs="+", required=True, help="folders of HR test images")
    args = ap.parse_args()
    model = load_model(args.model)
    for folder in args.sets:
        scores = {"bicubic": [], "one pass": [], "self-ensemble": []}
        seconds = {"one pass": 0.0, "self-ensemble": 0.0}
        for path in find_images(folder):
            hr, lr = degrade(load_image(path))
            scores["bicubic"].append(psnr_ssim_y(hr, bicubic(lr))[0])
            for name, plus in (("one pass", False), ("self-ensemble", True)):
                started = time.perf_counter()
                sr = upscale(model, lr, self_ensemble=plus)
                seconds[name] += time.perf_counter() - started
                scores[name].append(psnr_ssim_y(hr, sr)[0])
        print(folder, " ".join(f"{k} {np.mean(v):.2f} dB" for k, v in scores.items()),
              f"| time {seconds['self-ensemble'] / seconds['one pass']:.1f}x one pass", flush=True)


if __name__ == "__main__":
    main()
