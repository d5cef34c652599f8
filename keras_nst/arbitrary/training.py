"""Training one level's decoder to reconstruct (Li et al. 2017) on the shared perceptual trainer's
loop (``core.trainer.fit``: Adam with cosine annealing, a checkpoint each epoch, ``--resume``, a time limit).

Each step encodes a batch of crops, photos and paintings mixed (at use the decoder sees
painting-like features), with the frozen VGG16_Avg up to the decoder's level, decodes them, and
compares the result with the crops: pixels plus the features of ``FEATURE_LAYERS`` at or below the
level, each a mean squared error relative to the target's own mean square (VGG's features are
hundreds of times the pixels' scale, and grow with depth), summed with ``feature_weight``. No
painting is learnt: any painting works at use.
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
from ..core.vgg import precision_scope, preproc_tensor
from ..core.video import is_video, upright
from .defaults import BATCH_SIZE, EPOCHS, FEATURE_LAYERS, LEVELS, LR, LR_FINAL, STEPS_PER_EPOCH
from .model import decoder, encode, encoder, level_of
from .options import Settings, check_sources


def loss_layers(layer):
    """The reconstruction loss's feature layers for ``layer``'s decoder: those at or below it."""
    return [f for f in FEATURE_LAYERS if level_of(f) <= level_of(layer)]


class ReconstructionTrainer(keras.Model):
    """The decoder (``net``) trained behind the frozen encoder; ``call`` decodes the crops' features."""

    def __init__(self, net, enc, features, feature_weight, **kwargs):
        super().__init__(**kwargs)
        self.net, self.encoder, self.features, self.feature_weight = net, enc, features, feature_weight
        self.encoder.trainable = self.features.trainable = False

    def call(self, images, training=False):
        return self.net(ops.stop_gradient(encode(self.encoder, images)[0]), training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        y, y_pred = ops.cast(y, "float32"), ops.cast(y_pred, "float32")
        relative = lambda a, b: ops.mean(ops.square(a - b)) / (ops.mean(ops.square(b)) + 1e-6)
        loss = relative(preproc_tensor(y_pred), ops.stop_gradient(preproc_tensor(y)))
        for a, b in zip(encode(self.features, y_pred), encode(self.features, y)):
            loss = loss + self.feature_weight * relative(a, ops.stop_gradient(b))
        return loss


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
    im = np.asarray(Image.fromarray(image[y:y + s, x:x + s]).resize((crop, crop), Image.BILINEAR))
    return im[:, ::-1] if rng.random() < 0.5 else im


class Crops(keras.utils.PyDataset):
    """Batches of random crops of ``pictures`` (input and target alike): ``steps`` a pass."""

    def __init__(self, pictures, *, crop, batch_size=BATCH_SIZE, steps=100, seed=0):
        super().__init__()
        self.pictures, self.crop, self.batch_size, self.steps = pictures, crop, batch_size, steps
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        batch = np.stack([random_crop(self.rng, self.pictures[i], self.crop)
                          for i in self.rng.integers(0, len(self.pictures), self.batch_size)]).astype("float32")
        return batch, batch


def start_from(net, path):
    """``net``'s last layers take the weights of the decoder at ``path`` (a shallower level's): a
    decoder is the next shallower one behind one more conv and ``up_block``."""
    from .inference import load_decoder

    ours = [layer for layer in net.layers if layer.weights]
    theirs = [layer for layer in load_decoder(path, precision="float32").layers if layer.weights]
    if len(theirs) >= len(ours):
        raise NSTError(f"--start {path}: not a shallower level's decoder than {net.name}'s")
    for mine, source in zip(ours[::-1], theirs[::-1]):
        mine.set_weights(source.get_weights())


def train(photos, paintings, out, *, settings=Settings(), epochs=EPOCHS, steps_per_epoch=STEPS_PER_EPOCH,
          batch_size=BATCH_SIZE, lr=LR, lr_final=LR_FINAL, weights="auto", time_limit=None, resume=False,
          overwrite=False, seed=0, warmup=0, start=None):
    """Train ``settings.layer``'s decoder on crops of ``photos`` and ``paintings`` (lists of folders,
    images or videos: every 8th frame); saves it to ``out`` (.keras), a checkpoint each epoch in
    ``out.ckpt/`` (``resume`` continues one). ``start``: a shallower level's trained decoder, whose
    weights the new one's tail (the same blocks) starts from. Returns Keras' history."""
    ckpt = check_run(out, data=None, epochs=epochs, batch_size=batch_size, lr=lr, lr_final=lr_final, val_fraction=0,
                     time_limit=time_limit, steps_per_epoch=steps_per_epoch, resume=resume, overwrite=overwrite,
                     warmup=warmup)
    check_sources(photos, "--photos")
    check_sources(paintings, "--paintings")
    settings, state = start_run(ckpt, settings, epochs=epochs, resume=resume, overwrite=overwrite)
    if settings.layer not in LEVELS:
        raise NSTError(f"--level {settings.layer}: choose from {', '.join(LEVELS)}")
    started = time.monotonic()
    pictures = _pictures(photos, 2 * settings.crop) + _pictures(paintings, 2 * settings.crop)
    data = Crops(pictures, crop=settings.crop, batch_size=batch_size, steps=steps_per_epoch,
                 seed=seed + (state["epoch"] if state else 0))
    print(f"{len(pictures)} pictures ({time.monotonic() - started:.1f} s)")
    keras.utils.set_random_seed(seed)
    with precision_scope(settings.precision):
        net = decoder(settings.layer, settings.widths)
    if start is not None and not resume:
        start_from(net, start)
    trainer = ReconstructionTrainer(net, encoder([settings.layer], weights, settings.precision),
                                    encoder(loss_layers(settings.layer), weights, settings.precision),
                                    settings.feature_weight)
    trainer(data[0][0])  # built, so that a checkpoint restores into it
    record = dict(network_loss=asdict(settings), lr=lr, lr_final=lr_final, epochs=epochs, batch_size=batch_size,
                  warmup=warmup)
    history = fit(trainer, data, epochs=epochs, steps_per_epoch=steps_per_epoch, lr=lr, lr_final=lr_final,
                  checkpoint=ckpt, settings=record, resume_state=state, time_limit=time_limit, warmup=warmup)
    save_model(net, out)
    return history

