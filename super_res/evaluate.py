"""The lesson's homework: a test set. Does the network beat bicubic, and is it overfitting?

Each test image is cropped to a multiple of 4, downscaled x4 with bicubic filtering (the degradation
the training data used), then brought back by each network and by bicubic (or, with ``scale`` 2 or
3, the papers' other tables, by those factors). Scores, each with a border of the scale factor
shaved as published tables do:

- PSNR and SSIM on the Y channel of YCbCr (ITU-R BT.601, as MATLAB's ``rgb2ycbcr``: Y in 16-235),
  SSIM with Wang et al.'s Gaussian window, so the figures compare with the papers';
- PSNR and SSIM on RGB (0-255);
- the VGG feature distance: the perceptual training loss's own measure (its default layers and
  weights), which pixel scores cannot see;
- the grid figure: how much periodic pattern (stripes along the rows or columns, the screen-door
  grid a feature loss can reward) the result holds, as a ratio to the high-res photo's own
  (``grid_figure``): 1 or less for a clean result, several times that for a visible grid.
"""

import numpy as np
from PIL import Image
from skimage.color import rgb2ycbcr
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from keras_nst.core.image_io import load_image
from keras_nst.core.plots import check_figure, figure, image_grid, save_figure

from .defaults import SCALE
from .loss import vgg_distance
from .options import eval_images
from .upscale import upscale

BORDER = SCALE  # px shaved on each side before scoring (the papers shave the scale factor)
KEYS = ("psnr_y", "ssim_y", "psnr", "ssim", "vgg", "grid")
GRID_BAND = (0.2, 0.5)  # cycles per px where a network's periodic artefacts sit (periods 2 to 5 px)
GRID_FLOOR = 0.5  # grey levels (Y, 16-235) of noise added to both spectra: fainter patterns are invisible


def degrade(hr, scale=SCALE):
    """(hr cropped to a multiple of ``scale``, its bicubic downscale by ``scale``)."""
    h, w = (d - d % scale for d in hr.shape[:2])
    hr = hr[:h, :w]
    return hr, np.asarray(Image.fromarray(hr).resize((w // scale, h // scale), Image.BICUBIC))


def bicubic(lr, scale=SCALE):
    """Bicubic upscaling by ``scale`` in floating point, rounded once at the end (as MATLAB's
    ``imresize``; Pillow's 8-bit path rounds and clips between its two passes)."""
    h, w = lr.shape[:2]
    channels = [Image.fromarray(lr[..., c].astype(np.float32), "F").resize((w * scale, h * scale), Image.BICUBIC)
                for c in range(3)]
    return np.clip(np.stack([np.asarray(c) for c in channels], -1), 0, 255).round().astype(np.uint8)


def luma(rgb):
    """Y of YCbCr, ITU-R BT.601 (16-235), from RGB 0-255."""
    return rgb2ycbcr(np.asarray(rgb, np.float64) / 255.0)[..., 0]


def psnr_ssim_y(hr, sr, border=BORDER):
    """PSNR and SSIM on the Y channel, ``border`` px shaved: the papers' protocol."""
    a, b = luma(hr)[border:-border, border:-border], luma(sr)[border:-border, border:-border]
    return (float(peak_signal_noise_ratio(a, b, data_range=255)),
            float(structural_similarity(a, b, data_range=255, gaussian_weights=True, sigma=1.5,
                                        use_sample_covariance=False)))


def _axis_power(image):
    """The luminance spectrum's power (Hann-windowed) along the horizontal and vertical frequency
    axes, each summed over the axis and its two neighbouring lines, plus the power of noise of half a
    grey level (a floor: a pattern fainter than that is invisible, and a band the photo lacks must
    not turn a trace into a large ratio). [(frequencies in cycles per px, power), ...]."""
    grey = luma(image)
    h, w = grey.shape
    window = np.outer(np.hanning(h), np.hanning(w))
    power = np.abs(np.fft.fft2((grey - grey.mean()) * window)) ** 2 + (window ** 2).sum() * GRID_FLOOR ** 2
    fy, fx = np.abs(np.fft.fftfreq(h)), np.abs(np.fft.fftfreq(w))
    return [(fx, power[fy <= 1.5 / h].sum(axis=0)), (fy, power[:, fx <= 1.5 / w].sum(axis=1))]


def grid_figure(sr, hr, band=GRID_BAND, width=0.05):
    """How much more periodic pattern along the rows and columns ``sr`` holds than the photo ``hr``:
    the largest ratio of their axis power (``_axis_power``) in any ``width`` wide band of
    frequencies within ``band`` (cycles per px). 1 for the photo itself; below 1 for a result
    smoother than the photo (bicubic ~0.05); a faint stripe pattern of period 3 px (1 grey level)
    raises it 5-10x, as does the screen-door grid a feature loss can reward."""
    best = 0.0
    for (freqs, out), (_, ref) in zip(_axis_power(sr), _axis_power(hr)):
        for start in np.arange(band[0], band[1] - width + 1e-9, width / 2):
            inside = (freqs >= start) & (freqs < start + width)
            best = max(best, float(out[inside].sum() / ref[inside].sum()))
    return best


def scores(hr, sr, distance, border=BORDER):
    a, c = hr[border:-border, border:-border], sr[border:-border, border:-border]
    psnr_y, ssim_y = psnr_ssim_y(hr, sr, border)
    return dict(psnr_y=psnr_y, ssim_y=ssim_y,
                psnr=float(peak_signal_noise_ratio(a, c, data_range=255)),
                ssim=float(structural_similarity(a, c, channel_axis=-1, data_range=255)),
                vgg=float(distance(hr[None], sr[None])),
                grid=grid_figure(c, a))


def evaluate(models, folder, *, tile="auto", vgg_weights="auto", keep=4, limit=None, self_ensemble=False,
             scale=SCALE):
    """Per-image and mean scores for bicubic and each of ``models`` (name -> network) on the images
    of ``folder`` (the first ``limit`` of them); also up to ``keep`` rows (name, lr, bicubic, each
    model's output, hr) for a grid. ``self_ensemble``: each model scored a second time as "NAME+",
    its outputs averaged over the 8 flips and rotations (EDSR+'s naming). ``scale``: the test
    images degraded by 2 or 3 instead (the papers' x2 and x3 tables; the border shaved is ``scale``)."""
    paths = eval_images(folder, limit)
    distance = vgg_distance(vgg_weights)
    runs = {name: (m, False) for name, m in models.items()}
    if self_ensemble:
        runs.update({f"{name}+": (m, True) for name, m in models.items()})
    methods = ["bicubic", *runs]
    images, rows = [], []
    for path in paths:
        hr, lr = degrade(load_image(path), scale)
        outs = dict(bicubic=bicubic(lr, scale), **{name: upscale(m, lr, tile=tile, self_ensemble=plus, scale=scale)
                                                   for name, (m, plus) in runs.items()})
        images.append(dict(name=str(path.relative_to(folder)), size=list(hr.shape[1::-1]),
                           **{m: scores(hr, outs[m], distance, border=scale) for m in methods}))
        if len(rows) < keep:
            rows.append((path.stem, lr, *[outs[m] for m in methods], hr))
    mean = {m: {k: float(np.mean([i[m][k] for i in images])) for k in KEYS} for m in methods}
    return dict(methods=methods, images=images, mean=mean), rows


def save_grid(path, rows, methods, images=None, *, overwrite=True):
    """LR | bicubic | each model | HR, one row an image (the lesson's comparison), written atomically;
    ``images`` (``evaluate``'s per-image scores, in the rows' order): each panel titled with its own."""
    titles = ["LR (nearest)", *methods, "HR"]

    def title(i, name, t):
        got = images[i].get(t) if images and t in methods else None
        return f"{name}: {t}" + (f"\n{got['psnr_y']:.2f} dB, VGG {got['vgg']:.3g}, grid {got['grid']:.2f}"
                                 if got else "")

    fig = figure(figsize=(4 * len(titles), 4.3 * len(rows)))
    image_grid(fig, [list(panels) for _, *panels in rows], [[title(i, name, t) for t in titles]
                                                          for i, (name, *_) in enumerate(rows)])
    return save_figure(fig, check_figure(path), dpi=80, overwrite=overwrite)
