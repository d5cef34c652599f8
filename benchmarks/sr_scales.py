"""x2 and x3 from a x4 network (``upscale --scale``): which filter brings its x4 result down best.

Each HR test image is cropped to a multiple of the factor and bicubic-degraded by it (as
``evaluate --scale``), upscaled x4 by the model, then brought down to the factor with Pillow's
bicubic, Lanczos and box filters; PSNR on Y, the factor shaved, against bicubic upscaling by the
factor. ``upscale --scale`` uses bicubic, chosen on Set5 with this script.

    KERAS_BACKEND=torch python benchmarks/sr_scales.py --model psnr --sets ../shared/data/sr/eval/Set5
"""

import argparse

import numpy as np
from PIL import Image

from keras_nst.core.image_io import find_images, load_image
from super_res.evaluate import bicubic, degrade, psnr_ssim_y
from super_res.upscale import load_model, upscale

FILTERS = {"bicubic": Image.BICUBIC, "lanczos": Image.LANCZOS, "box": Image.BOX}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="psnr")
    ap.add_argument("--sets", nargs="+", required=True, help="folders of HR test images")
    ap.add_argument("--scales", nargs="+", type=int, default=[2, 3])
    args = ap.parse_args()
    model = load_model(args.model)
    for folder in args.sets:
        for scale in args.scales:
            scores = {"bicubic up": [], **{f"x4, {name} down": [] for name in FILTERS}}
            for path in find_images(folder):
                hr, lr = degrade(load_image(path), scale)
                scores["bicubic up"].append(psnr_ssim_y(hr, bicubic(lr, scale), scale)[0])
                x4, size = Image.fromarray(upscale(model, lr)), hr.shape[1::-1]
                for name, f in FILTERS.items():
                    scores[f"x4, {name} down"].append(psnr_ssim_y(hr, np.asarray(x4.resize(size, f)), scale)[0])
            print(f"{folder} x{scale} {args.model}:", " | ".join(f"{k} {np.mean(v):.2f} dB" for k, v in scores.items()),
                  flush=True)


if __name__ == "__main__":
    main()
