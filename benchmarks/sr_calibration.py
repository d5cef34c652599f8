"""Is an x4 network's learned residual calibrated? Its VGG distance with the residual scaled or blurred.

The residual network's output is bicubic plus a learned residual. A network that has memorised its
training photos may over-commit on unseen ones (invented detail in the wrong phase), and then
shrinking its residual toward bicubic (``a < 1``) or smoothing it would lower the test distance:
a post-hoc lever costing nothing at inference. ``--self-ensemble``'s gain (averaging 8 outputs, which
can only smooth) suggests looking. This probe scores ``bicubic + a * residual`` for several ``a`` and
``bicubic + gaussian(residual, sigma)`` on a test folder (``evaluate``'s degradation and VGG
distance, the training loss's own measure), as ratios to bicubic's distance measured in the same run.

    KERAS_BACKEND=torch python benchmarks/sr_calibration.py --model perceptual --images ../shared/data/sr/eval/Set14
"""

import argparse

import numpy as np
from scipy import ndimage

from keras_nst.core.image_io import find_images, load_image
from super_res.evaluate import bicubic, degrade
from super_res.loss import vgg_distance
from super_res.upscale import load_model, upscale


def variants(base, residual, scales, sigmas):
    """name -> candidate output (float, unclipped) for each residual scale and blur."""
    out = {f"a={a:g}": base + a * residual for a in scales}
    out.update({f"sigma={s:g}": base + ndimage.gaussian_filter(residual, (s, s, 0)) for s in sigmas})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="perceptual")
    ap.add_argument("--images", required=True, help="a folder of test images")
    ap.add_argument("--scales", type=float, nargs="+", default=[0.85, 0.9, 0.95, 1.0, 1.05, 1.1])
    ap.add_argument("--sigmas", type=float, nargs="+", default=[0.3, 0.5, 0.7], help="Gaussian blurs (px)")
    args = ap.parse_args()
    model, distance = load_model(args.model), vgg_distance()
    totals = {}
    for path in find_images(args.images):
        hr, lr = degrade(load_image(path))
        base = bicubic(lr).astype(np.float32)
        cands = dict(bicubic=base, **variants(base, upscale(model, lr).astype(np.float32) - base,
                                              args.scales, args.sigmas))
        for name, x in cands.items():  # scored as upscale writes them: clipped, rounded to 8 bits
            sr = np.clip(x, 0, 255).round().astype(np.uint8)
            totals[name] = totals.get(name, 0.0) + float(distance(hr[None], sr[None]))
    for name, total in totals.items():
        print(f"{name:>10}: {total / totals['bicubic']:.4f}x bicubic's VGG distance")


if __name__ == "__main__":
    main()
