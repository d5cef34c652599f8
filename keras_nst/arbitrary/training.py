"""Training AdaIN's decoder (Huang & Belongie 2017) on the shared perceptual trainer's loop
(``core.trainer.fit``: Adam with cosine annealing, a checkpoint each epoch, ``--resume``, a time limit).

Each step takes a batch of photo crops and a batch of painting crops, encodes both with the fixed
VGG16_Avg, swaps the statistics (AdaIN) and decodes. The loss is lesson 9's perceptual loss with
AdaIN's two terms: content, the decoded image's ``block4_conv1`` features against the AdaIN target
itself (not the photo's), and style, each style layer's per-channel means and standard deviations
against the painting's. No painting is learnt: any painting works at use.
"""

import time
from dataclasses import asdict
from pathlib import Path

import keras
import numpy as np
from keras import ops
from PIL import Image

from ..core.errors import NSTError
from ..core.image_io import find_images, load_image, resize
from ..core.runs import check_run
from ..core.trainer import fit, save_model, start_run
from ..core.vgg import precision_scope
from ..core.video import is_video, upright
from .defaults import BATCH_SIZE, CROP, STYLE_WEIGHT
from .model import adain, decoder, encode, encoder, moments
from .options import Settings, check_sources


class AdaINTrainer(keras.Model):
    """The decoder (``net``) trained behind the frozen encoder; ``call`` returns the decoded images
    and what the loss compares them with (the AdaIN target, the painting's features)."""

    def __init__(self, net, enc, style_weight=STYLE_WEIGHT, **kwargs):
        super().__init__(**kwargs)
        self.net, self.encoder, self.style_weight = net, enc, style_weight
        self.encoder.trainable = False

    def call(self, inputs, training=False):
        photos, paintings = inputs
        content = encode(self.encoder, photos)[-1]
        style = encode(self.encoder, paintings)
        t = ops.stop_gradient(adain(content, style[-1]))
        return self.net(t, training=training), t, [ops.stop_gradient(s) for s in style]

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        images, t, style = y_pred
        out = encode(self.encoder, images)
        content = ops.mean(ops.square(out[-1] - t))
        style_loss = 0.0
        for o, s in zip(out, style):
            (om, osd), (sm, ssd) = moments(o), moments(s)
            style_loss = style_loss + ops.mean(ops.square(om - sm)) + ops.mean(ops.square(osd - ssd))
        return content + self.style_weight * style_loss


def _pictures(sources, side):
    """Every readable image of the ``sources`` (folders, files, or videos: every 8th frame), with the
    longer side at ``side`` px, as uint8 arrays."""
    out = []
    for src in map(Path, sources):
        if is_video(src):
            import av

            with av.open(str(src)) as clip:
                frames = (upright(f) for i, f in enumerate(clip.decode(video=0)) if i % 8 == 0)
                out += [resize(f, side) for f in frames if min(f.shape[:2]) >= 128]
            continue
        out += [load_image(path, side, grow=False) for path in ([src] if src.is_file() else find_images(src))]
    if not out:
        raise NSTError(f"no pictures in {', '.join(map(str, sources))}")
    return out


def random_crop(rng, image, crop):
    """A random square of ``crop`` px: a random share (60-100 %) of the shorter side, resized, maybe flipped."""
    h, w = image.shape[:2]
    s = int(min(h, w) * rng.uniform(0.6, 1.0))
    y, x = rng.integers(0, h - s + 1), rng.integers(0, w - s + 1)
    im = Image.fromarray(image[y:y + s, x:x + s]).resize((crop, crop), Image.BILINEAR)
    im = np.asarray(im)
    return im[:, ::-1] if rng.random() < 0.5 else im


class Pairs(keras.utils.PyDataset):
    """Batches of (photo crops, painting crops), drawn at random: ``steps`` a pass."""

    def __init__(self, photos, paintings, *, crop=CROP, batch_size=BATCH_SIZE, steps=100, seed=0):
        super().__init__()
        self.photos, self.paintings, self.crop, self.batch_size, self.steps = photos, paintings, crop, batch_size, steps
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        def batch(pool):
            return np.stack([random_crop(self.rng, pool[i], self.crop)
                             for i in self.rng.integers(0, len(pool), self.batch_size)]).astype("float32")

        photos = batch(self.photos)
        return (photos, batch(self.paintings)), photos

    def on_epoch_end(self):
        pass


def train(photos, paintings, out, *, settings=Settings(), epochs=10, steps_per_epoch=100, batch_size=BATCH_SIZE,
          lr=1e-4, lr_final=1e-5, weights="auto", time_limit=None, resume=False, overwrite=False, seed=0, warmup=0):
    """Train a decoder on ``photos`` and ``paintings`` (lists of folders, images or videos: every 8th
    frame); saves it to ``out`` (.keras), a checkpoint each epoch in ``out.ckpt/`` (``resume``
    continues one). Returns Keras' history."""
    ckpt = check_run(out, data=None, epochs=epochs, batch_size=batch_size, lr=lr, lr_final=lr_final, val_fraction=0,
                     time_limit=time_limit, steps_per_epoch=steps_per_epoch, resume=resume, overwrite=overwrite,
                     warmup=warmup)
    check_sources(photos, "--photos")
    check_sources(paintings, "--paintings")
    settings, state = start_run(ckpt, settings, epochs=epochs, resume=resume, overwrite=overwrite)
    started = time.monotonic()
    data = Pairs(_pictures(photos, 2 * settings.crop), _pictures(paintings, 2 * settings.crop), crop=settings.crop,
                 batch_size=batch_size, steps=steps_per_epoch, seed=seed + (state["epoch"] if state else 0))
    print(f"{len(data.photos)} photos, {len(data.paintings)} paintings ({time.monotonic() - started:.1f} s)")
    keras.utils.set_random_seed(seed)
    with precision_scope(settings.precision):
        net = decoder(settings.filters)
    trainer = AdaINTrainer(net, encoder(weights, settings.precision), settings.style_weight)
    trainer(data[0][0])  # built, so that a checkpoint restores into it
    record = dict(network_loss=asdict(settings), lr=lr, lr_final=lr_final, epochs=epochs, batch_size=batch_size,
                  warmup=warmup)
    history = fit(trainer, data, epochs=epochs, steps_per_epoch=steps_per_epoch, lr=lr, lr_final=lr_final,
                  checkpoint=ckpt, settings=record, resume_state=state, time_limit=time_limit, warmup=warmup)
    save_model(net, out)
    return history
