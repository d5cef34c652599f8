"""Has an x4 network memorised its training photos? Its VGG distance, upright and turned, on them and on unseen ones.

Lesson 9's homework asks "is it overfitting?". A held-out loss that falls says little when the
held-out crops come from training photos, and test scores that stand still while the training loss
falls say it only indirectly. This probe asks the network directly: a network that has learnt how
photos look scores the same on a crop and on its 7 flips and quarter turns (bicubic does, to 0.5 %);
one that has memorised its training photos scores much better on them upright, as it saw them, than
turned. Unseen photos (a test folder's centre crops) are the control. It reads networks trained
without ``train --augment``: one trained on all 8 turns of its photos has seen them all "upright".
Ratios are the model's VGG distance (``evaluate``'s, the training loss's own measure) over
bicubic's on the same crops, so lower is better, and both are measured in the same run.

    KERAS_BACKEND=torch python benchmarks/sr_memorisation.py --model perceptual --data /tmp/sr192m \\
        --images ../shared/data/sr/eval/Set14
"""

import argparse

import numpy as np
from PIL import Image

from keras_nst.core.arrays import open_arrays
from keras_nst.core.image_io import find_images, load_image
from super_res.layers import BicubicUpsampling2D
from super_res.loss import vgg_distance
from super_res.upscale import load_model


def turns(a):
    """The 8 flips and quarter turns of a batch (n, h, w, c), the identity first."""
    return [np.ascontiguousarray(np.rot90(a[:, :, ::-1] if flip else a, k, axes=(1, 2)))
            for flip in (False, True) for k in range(4)]


def unseen_crops(folder, lo, hi):
    """Centre crops of ``hi`` px of each test image big enough, and their bicubic ``lo`` px versions, as prepare."""
    his = []
    for path in find_images(folder):
        img = load_image(path)
        h, w = img.shape[:2]
        if min(h, w) >= hi:
            top, left = (h - hi) // 2, (w - hi) // 2
            his.append(img[top:top + hi, left:left + hi])
    los = [np.asarray(Image.fromarray(a).resize((lo, lo), Image.BICUBIC)) for a in his]
    return np.stack(los), np.stack(his)


def ratios(model, distance, lr, hr):
    """Model's VGG distance over bicubic's for each of the 8 turns of the batch."""
    bicubic = BicubicUpsampling2D(4)
    out = []
    for x, y in zip(turns(lr.astype("float32")), turns(hr.astype("float32"))):
        out.append(float(distance(y, model.predict(x, verbose=0))) / float(distance(y, bicubic(x))))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="perceptual")
    ap.add_argument("--data", required=True, help="the prepared folder it was trained on")
    ap.add_argument("--images", required=True, help="a folder of test images it has never seen")
    ap.add_argument("--rows", type=int, default=16, help="training crops to score (the folder's first rows)")
    args = ap.parse_args()
    model, distance = load_model(args.model), vgg_distance()
    manifest, X, Y = open_arrays(args.data)
    sets = {"training photos": (X[:args.rows], Y[:args.rows]),
            "unseen photos": unseen_crops(args.images, min(manifest["sizes"]), max(manifest["sizes"]))}
    for name, (lr, hr) in sets.items():
        r = ratios(model, distance, lr, hr)
        print(f"{name} ({len(lr)} crops): {r[0]:.3f}x bicubic's upright, {np.mean(r[1:]):.3f}x turned "
              f"(upright / turned {r[0] / np.mean(r[1:]):.3f})", flush=True)


if __name__ == "__main__":
    main()
