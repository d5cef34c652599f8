"""Lesson 9's fast style transfer (Johnson et al. 2016): one network per style, trained once.

Gatys' method optimises every picture from scratch; here an image transform net (``model``) learns,
once, to do it: trained on many photos against the perceptual loss (content features of the photo
itself, Gram matrices of one style image, total variation), it then stylises any photo in a single
forward pass (``inference``). Training reuses the shared perceptual trainer and the bcolz crops of
``super_res prepare``.
"""

from dataclasses import asdict
from pathlib import Path

import keras
import numpy as np

from ..core.arrays import open_arrays, split_chunks
from ..core.defaults import TRAIN_EPOCHS, TRAIN_LR, TRAIN_LR_FINAL
from ..core.errors import NSTError
from ..core.image_io import load_image, save_image
from ..core.iterator import BcolzArrayIterator
from ..core.trainer import PerceptualLoss, PerceptualTrainer, fit, save_model, start_run
from .defaults import BATCH_SIZE, VAL_FRACTION, VALIDATION_STEPS
from .inference import stylize
from .options import Settings, check


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


def train(data, out, *, settings=Settings(), epochs=TRAIN_EPOCHS, batch_size=BATCH_SIZE, image_size=None,
          lr=TRAIN_LR, lr_final=TRAIN_LR_FINAL, val_fraction=VAL_FRACTION, seed=0, weights="auto", time_limit=None,
          steps_per_epoch=None, resume=False, overwrite=False, sample=None, warmup=0):
    """Train a transform net for ``settings.style`` on a prepared folder (its high-res crops); saves it
    to ``out`` (.keras). ``image_size``: train on random crops of this size (default: the stored
    crops'). ``sample``: a photo stylised after each epoch (default: a held-out crop). ``warmup``: steps of a
    linear rise to ``lr`` first. Returns the history."""
    ckpt = check(out, settings=settings, image_size=image_size, sample=sample, data=data, epochs=epochs,
                 batch_size=batch_size, lr=lr, lr_final=lr_final, val_fraction=val_fraction, time_limit=time_limit,
                 steps_per_epoch=steps_per_epoch, resume=resume, overwrite=overwrite, warmup=warmup)
    settings.terms()  # the loss's layers and weights, still before any work
    settings, state = start_run(ckpt, settings, epochs=epochs, resume=resume, overwrite=overwrite)
    if state:
        image_size = state["settings"]["image_size"]
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
    loss = PerceptualLoss(settings.terms(), fixed={"style": style[None].astype("float32")}, vgg_weights=weights,
                          precision=settings.precision)
    record = dict(network_loss=asdict(settings), image_size=image_size, lr=lr, lr_final=lr_final, warmup=warmup,
                  epochs=epochs, batch_size=batch_size, data=str(data))
    steps = steps_per_epoch or len(trn)  # longer than the data: _Epochs starts it again
    val_steps = None if val is None else min(len(val), VALIDATION_STEPS)
    history = fit(PerceptualTrainer(net, loss), trn, epochs=epochs, steps_per_epoch=steps, lr=lr, lr_final=lr_final,
                  checkpoint=ckpt, settings=record, validation_data=val, resume_state=state, time_limit=time_limit,
                  validation_steps=val_steps, warmup=warmup, callbacks=[_Sample(net, photo, ckpt)])
    save_model(net, out)
    return history
