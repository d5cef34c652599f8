"""Lesson 9's fast style transfer (Johnson et al. 2016): one network per style, any photo in one pass.

Gatys' method optimises every picture from scratch; here an image transform net learns, once, to do
it: trained on many photos against the perceptual loss (content features of the photo itself, Gram
matrices of one style image, total variation), then stylises any photo in a single forward pass.

The network follows the paper's supplementary material and the course's notebook: one wide
``ReflectionPadding2D`` at the input, a 9x9 ``conv_block``, two stride-2 convs, residual blocks of
*valid* convs (``res_crop_block``: the padding is paid once, at the input, instead of zeros in every
block), two x2 ``up_block``s and a 9x9 conv to RGB through tanh. Instance normalisation (Ulyanov et
al.) is the default, batch normalisation the paper's. Upsampling by nearest resize + conv avoids the
checkerboard that transposed convs leave (Odena et al., "Deconvolution and checkerboard artifacts").
Training reuses the shared perceptual trainer and the bcolz crops of ``super_res prepare``.
"""

import math
from dataclasses import asdict
from pathlib import Path

import keras
import numpy as np
from keras import layers

from .core.arrays import open_arrays, split_chunks
from .core.backend import for_backend, load_network, predict
from .core.blocks import conv, conv_block, res_crop_block, up_block
from .core.defaults import FAST_FILTERS, FAST_RES_BLOCKS, FAST_UPSAMPLES, NORMS
from .core.errors import NSTError
from .core.image_io import load_image, save_image
from .core.iterator import BcolzArrayIterator
from .core.layers import CropLike, PadToMultiple, ReflectionPadding2D
from .core.memory import budget, release
from .core.runs import start_state
from .core.trainer import PerceptualLoss, PerceptualTrainer, fit, save_model
from .fast_options import MIN_TILE, OVERLAP, Settings, check, check_tile, model_path

UPSAMPLING = {"resize": ("upsample", 3), "deconv3": ("deconv", 3), "deconv4": ("deconv", 4)}  # -> up_block's
# peak memory of a forward pass (core.backend.predict) per pixel, by backend: the 32-filter trunk,
# float32, at 768 and 1536 px square, CPU, 520-2400 B measured (benchmarks/inference_bench.py --task
# fast), rounded up; the eager model(x) it replaced took 3.2-5 KB. Larger photos go in tiles
BYTES_PER_PIXEL = {"tensorflow": 1000, "torch": 1400, "jax": 3000}
VALIDATION_STEPS = 4  # batches of held-out photos scored each epoch: a trend, at a few % of an epoch's time


def transform_net(*, norm=NORMS[0], upsample=FAST_UPSAMPLES[0], filters=FAST_FILTERS, n_res=FAST_RES_BLOCKS):
    """RGB 0-255 in, RGB 0-255 out, of the same size (any size: padded to a multiple of 4 and cropped)."""
    if norm not in NORMS:
        raise NSTError(f"unknown --norm '{norm}': use {' or '.join(NORMS)}")
    if upsample not in UPSAMPLING:
        raise NSTError(f"unknown --upsample '{upsample}': use {' or '.join(FAST_UPSAMPLES)}")
    mode, size = UPSAMPLING[upsample]
    inp = keras.Input((None, None, 3), name="photo")
    x = PadToMultiple(4)(inp)  # two stride-2 convs, two x2 upsamplings: sizes must divide by 4
    x = ReflectionPadding2D(8 * n_res)(x)  # each res_crop_block loses 2 px at 1/4 scale: 8 px at full scale
    x = layers.Rescaling(1 / 127.5, offset=-1)(x)
    x = conv_block(x, filters, 9, norm=norm)
    x = conv_block(x, 2 * filters, 3, stride=2, norm=norm)
    x = conv_block(x, 4 * filters, 3, stride=2, norm=norm)
    for _ in range(n_res):
        x = res_crop_block(x, 4 * filters, norm=norm)
    x = up_block(up_block(x, 2 * filters, size, mode, norm), filters, size, mode, norm)
    x = layers.Rescaling(127.5, offset=127.5)(conv(x, 3, 9, activation="tanh"))  # tanh's -1..1 to 0..255
    return keras.Model(inp, CropLike(name="stylized")([x, inp]), name=f"fast_style_{norm}_{upsample}")


class Photos(keras.utils.PyDataset):
    """(photo, photo) batches of the prepared high-res crops, randomly cropped to ``size`` px when
    smaller than the stored crops: the input is its own content target."""

    def __init__(self, arrays, size, seed=None):
        super().__init__()
        self.arrays, self.size = arrays, size
        self.rng = None if seed is None else np.random.default_rng(seed)  # None: centre crops (validation)

    def __len__(self):
        return len(self.arrays)

    def __getitem__(self, index):
        x = self.arrays[index][1].astype("float32")
        h, w = x.shape[1:3]
        if self.rng is None:
            y0, x0 = (h - self.size) // 2, (w - self.size) // 2
        else:
            y0, x0 = self.rng.integers(0, h - self.size + 1), self.rng.integers(0, w - self.size + 1)
        x = x[:, y0:y0 + self.size, x0:x0 + self.size]
        return x, x

    def on_epoch_end(self):
        self.arrays.on_epoch_end()


class _Sample(keras.callbacks.Callback):
    """A stylisation of one held-out photo after every epoch, to watch the style arrive."""

    def __init__(self, net, photo, folder):
        super().__init__()
        self.net, self.photo, self.folder = net, photo, Path(folder)

    def on_epoch_end(self, epoch, logs=None):
        self.folder.mkdir(exist_ok=True)
        path = save_image(self.folder / f"sample_epoch{epoch + 1:04d}.png", stylize(self.net, self.photo))
        print(f"sample: {path}")


def train(data, out, *, settings=Settings(), epochs=2, batch_size=4, image_size=None, lr=1e-3, lr_final=1e-4,
          val_fraction=0.05, seed=0, weights="auto", time_limit=None, steps_per_epoch=None, resume=False,
          overwrite=False, sample=None, warmup=0):
    """Train a transform net for ``settings.style`` on a prepared folder (its high-res crops); saves it
    to ``out`` (.keras). ``image_size``: train on random crops of this size (default: the stored
    crops'). ``sample``: a photo stylised after each epoch (default: a held-out crop). ``warmup``: steps of a
    linear rise to ``lr`` first. Returns the history."""
    ckpt = check(out, settings=settings, image_size=image_size, sample=sample, data=data, epochs=epochs,
                 batch_size=batch_size, lr=lr, lr_final=lr_final, val_fraction=val_fraction, time_limit=time_limit,
                 steps_per_epoch=steps_per_epoch, resume=resume, overwrite=overwrite, warmup=warmup)
    settings.terms()  # the loss's layers and weights, still before any work
    state = start_state(ckpt, epochs=epochs, resume=resume, overwrite=overwrite)
    if state:
        saved = state["settings"]
        settings = Settings(**{k: tuple(v) if isinstance(v, list) else v for k, v in saved["network_loss"].items()})
        image_size = saved["image_size"]
    manifest, _, hr = open_arrays(data)
    stored = max(manifest["sizes"])
    image_size = image_size or stored
    if image_size > stored:
        raise NSTError(f"--image-size {image_size} is larger than the {stored} px crops in {data}: prepare them "
                       f"with --sizes {image_size // 4} {image_size}")
    trn_chunks, val_chunks = split_chunks(len(hr), hr.chunklen, val_fraction, manifest.get("rows"))
    trn = Photos(BcolzArrayIterator(hr, hr, batch_size, shuffle=True, seed=seed, chunks=trn_chunks), image_size, seed)
    val = Photos(BcolzArrayIterator(hr, hr, batch_size, chunks=val_chunks), image_size) if len(val_chunks) \
        else None
    photo = load_image(sample) if sample else hr[int(val_chunks[0] if len(val_chunks) else 0) * hr.chunklen]
    style = load_image(settings.style, settings.style_size or image_size)
    keras.utils.set_random_seed(seed)
    net = settings.network()
    loss = PerceptualLoss(settings.terms(), fixed={"style": style[None].astype("float32")}, vgg_weights=weights)
    record = dict(network_loss=asdict(settings), image_size=image_size, lr=lr, lr_final=lr_final, warmup=warmup,
                  epochs=epochs, batch_size=batch_size, data=str(data))
    steps = steps_per_epoch or len(trn)  # longer than the data: _Epochs starts it again
    val_steps = None if val is None else min(len(val), VALIDATION_STEPS)
    history = fit(PerceptualTrainer(net, loss), trn, epochs=epochs, steps_per_epoch=steps, lr=lr, lr_final=lr_final,
                  checkpoint=ckpt, settings=record, validation_data=val, resume_state=state, time_limit=time_limit,
                  validation_steps=val_steps, warmup=warmup, callbacks=[_Sample(net, photo, ckpt)])
    save_model(net, out)
    return history


def _predict(model, photo):
    return predict(model, np.asarray(photo, "float32")[None])[0]


def auto_tile(h, w, bytes_per_pixel=None):
    """None if the whole ``h`` x ``w`` photo fits the memory budget, else the largest tile side that does."""
    bytes_per_pixel = bytes_per_pixel or for_backend(BYTES_PER_PIXEL)
    if h * w * bytes_per_pixel <= budget():
        return None
    side = int((budget() / bytes_per_pixel) ** 0.5)
    if side < MIN_TILE:
        raise NSTError(f"not enough memory to stylise even in tiles ({budget() / 1e9:.1f} GB available)")
    return side


def _ramp(n, overlap, first, last):
    """Blending weights along one axis of a tile: rising over the overlap unless at the image's edge."""
    r = np.ones(n, "float32")
    ramp = (np.arange(overlap, dtype="float32") + 0.5) / overlap
    if not first:
        r[:overlap] = ramp
    if not last:
        r[n - overlap:] = ramp[::-1]
    return r


def stylize(model, photo, *, tile="auto", overlap=OVERLAP, progress=None):
    """``photo`` (H, W, 3) 0-255 -> the stylised (H, W, 3) uint8. Too large for memory (``tile="auto"``)
    or larger than ``tile`` px: overlapping tiles, cross-faded over ``overlap`` px so that no seam shows
    where instance normalisation's statistics differ between tiles."""
    photo = np.asarray(photo, "float32")
    h, w = photo.shape[:2]
    pad = max(0, _reach(model) + 1 - min(h, w))  # mirror padding needs a photo wider than the pad
    if pad:
        photo = np.pad(photo, [(0, pad), (0, pad), (0, 0)], mode="symmetric")
    tile = auto_tile(*photo.shape[:2]) if tile == "auto" else tile
    if not tile or max(photo.shape[:2]) <= tile:
        out = _predict(model, photo)
    else:
        out = _tiled(model, photo, tile, overlap, progress)
    return np.clip(out[:h, :w], 0, 255).round().astype(np.uint8)


def _tiled(model, photo, tile, overlap, progress):
    check_tile(tile)
    h, w = photo.shape[:2]
    step = tile - overlap
    ys, xs = range(0, max(1, h - overlap), step), range(0, max(1, w - overlap), step)
    if progress is not None:
        progress.total = (progress.total or 0) + len(ys) * len(xs)
    out, total = np.zeros_like(photo), np.zeros((h, w, 1), "float32")
    for y in ys:
        for x in xs:
            y1, x1 = min(h, y + tile), min(w, x + tile)
            weight = np.outer(_ramp(y1 - y, overlap, y == 0, y1 == h), _ramp(x1 - x, overlap, x == 0, x1 == w))
            out[y:y1, x:x1] += _predict(model, photo[y:y1, x:x1]) * weight[..., None]
            total[y:y1, x:x1] += weight[..., None]
            release()  # freed tiles back to the OS: see core.memory.release
            if progress is not None:
                progress.update()
    return out / total


def _reach(model):
    """The width of the network's input mirror padding (40 px for the paper's 5 residual blocks)."""
    pads = [layer.padding[0] for layer in model.layers if isinstance(layer, ReflectionPadding2D)]
    return max(pads, default=0)


def load_style_model(name_or_path):
    """A trained transform net (a shipped name or a .keras file), with a clear error for anything else."""
    return load_network(model_path(name_or_path), probe=64, scale=1, what="an image transform network")


def forward_flops(h, w, *, filters=FAST_FILTERS, n_res=FAST_RES_BLOCKS, upsample=FAST_UPSAMPLES[0]):
    """Multiply-adds x 2 of one forward pass at ``h`` x ``w``: what the benchmark divides by."""
    k = UPSAMPLING[upsample][1]
    H, W = math.ceil(h / 4) * 4 + 16 * n_res, math.ceil(w / 4) * 4 + 16 * n_res
    px = lambda s: (H // s) * (W // s)
    macs = px(1) * 81 * 3 * filters + px(2) * 9 * filters * 2 * filters + px(4) * 9 * 2 * filters * 4 * filters
    macs += sum(2 * (H // 4 - 4 * i) * (W // 4 - 4 * i) * 9 * (4 * filters) ** 2 for i in range(n_res))
    macs += px(2) * k * k * 4 * filters * 2 * filters + px(1) * k * k * 2 * filters * filters
    macs += px(1) * 81 * filters * 3
    return 2 * macs


def checkerboard_energy(image):
    """How strongly ``image`` (H, W, 3) shows the period-2 and period-4 patterns that stride-2
    transposed convs leave (Odena et al. 2016): the luminance spectrum's power at those frequencies
    divided by the median power of their neighbouring frequencies, averaged. About 1 for a natural
    image; a visible checkerboard gives several times that."""
    from skimage.color import rgb2gray

    grey = rgb2gray(np.asarray(image))
    h, w = (s // 4 * 4 for s in grey.shape)
    power = np.abs(np.fft.fft2(grey[:h, :w] - grey[:h, :w].mean())) ** 2
    ratios = []
    for fy in range(0, h, h // 4):
        for fx in range(0, w, w // 4):
            if fy == fx == 0:
                continue
            ys, xs = np.arange(fy - 4, fy + 5) % h, np.arange(fx - 4, fx + 5) % w
            ring = power[np.ix_(ys, xs)].copy()
            ring[3:6, 3:6] = np.nan  # the peak and its immediate neighbours are not the background
            ratios.append(power[fy, fx] / max(np.nanmedian(ring), 1e-12))
    return float(np.mean(ratios))
