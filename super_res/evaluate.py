"""The lesson's homework: a test set. Does the network beat bicubic, and is it overfitting?

Each test image is cropped to a multiple of 4, downscaled x4 with bicubic filtering (the degradation
the training data used), then brought back by the network and by bicubic. PSNR and SSIM
(scikit-image, RGB 0-255, a 4 px border shaved as is usual in SR papers) measure pixel fidelity; the
VGG feature distance (the perceptual loss with its default layers and weights) measures texture.
"""

import numpy as np
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from keras_nst.errors import NSTError
from keras_nst.image_io import find_images, load_image
from keras_nst.report import check_grid, plt, save_figure

from .loss import PerceptualLoss
from .upscale import SCALE, upscale

METHODS = ("bicubic", "model")


def degrade(hr):
    """(hr cropped to a multiple of 4, its bicubic x4 downscale)."""
    h, w = (d - d % SCALE for d in hr.shape[:2])
    hr = hr[:h, :w]
    return hr, np.asarray(Image.fromarray(hr).resize((w // SCALE, h // SCALE), Image.BICUBIC))


def bicubic(lr):
    h, w = lr.shape[:2]
    return np.asarray(Image.fromarray(lr).resize((w * SCALE, h * SCALE), Image.BICUBIC))


def scores(hr, sr, distance):
    b = SCALE
    a, c = hr[b:-b, b:-b], sr[b:-b, b:-b]
    return dict(psnr=float(peak_signal_noise_ratio(a, c, data_range=255)),
                ssim=float(structural_similarity(a, c, channel_axis=-1, data_range=255)),
                vgg=float(distance(hr[None], sr[None])))


def evaluate(model, folder, tile=None, vgg_weights="auto", keep=4):
    """Per-image and mean scores, model vs bicubic; also up to ``keep`` (name, lr, bic, sr, hr) rows."""
    distance = PerceptualLoss(vgg_weights=vgg_weights)
    images, rows = [], []
    for path in find_images(folder):
        hr, lr = degrade(load_image(path))
        outs = dict(bicubic=bicubic(lr), model=upscale(model, lr, tile))
        images.append(dict(name=str(path.relative_to(folder)), size=list(hr.shape[1::-1]),
                           **{m: scores(hr, outs[m], distance) for m in METHODS}))
        if len(rows) < keep:
            rows.append((path.stem, lr, outs["bicubic"], outs["model"], hr))
    if not images:
        raise NSTError(f"{folder}: no images to evaluate")
    mean = {m: {k: float(np.mean([i[m][k] for i in images])) for k in ("psnr", "ssim", "vgg")} for m in METHODS}
    return dict(images=images, mean=mean), rows


def save_grid(path, rows):
    """LR | bicubic | model | HR, one row an image (the lesson's comparison), written atomically."""
    path = check_grid(path)
    fig, axes = plt.subplots(len(rows), 4, figsize=(16, 4 * len(rows)), squeeze=False, layout="constrained")
    for ax_row, (name, *panels) in zip(axes, rows):
        for ax, title, im in zip(ax_row, ("LR (nearest)", "bicubic", "model", "HR"), panels):
            ax.imshow(im, interpolation="nearest")
            ax.set_title(f"{name}: {title}")
            ax.axis("off")
    return save_figure(fig, path, dpi=80)
