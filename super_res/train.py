"""Lesson 9's training: Adam with an annealed learning rate on the perceptual loss, by bcolz chunks.

The shared perceptual trainer (``keras_nst.core.trainer``) does the work; this module supplies the
network, the (72 px, 288 px) pairs and the terms. A held-out slice of chunks reports validation
loss each epoch: the lesson's homework, "is it overfitting?". Every setting is checked, and the
output and checkpoint folders too, before any data is read.
"""

import contextlib
from dataclasses import asdict, replace

import keras
import numpy as np

from keras_nst.core.arrays import open_arrays, split_chunks
from keras_nst.core.defaults import TRAIN_EPOCHS, TRAIN_LR, TRAIN_LR_FINAL
from keras_nst.core.errors import NSTError
from keras_nst.core.iterator import BcolzArrayIterator
from keras_nst.core.trainer import PerceptualLoss, PerceptualTrainer, fit, save_model, start_run

from .defaults import BATCH_SIZE, N_RES, VAL_FRACTION
from .model import back_projected, copy_weights, res_blocks, upsampler
from .options import Settings, check
from .upscale import TURNS, ensemble, load_model


class TeacherViews(keras.utils.PyDataset):
    """Self-ensemble distillation: each batch's target gets a second one beside it (channels 3-5), the
    ``teacher``'s output on the batch turned one of the 8 ways at random and turned back. The teacher's
    self-ensemble (``upscale --self-ensemble``, EDSR+) scores better than its one pass, because a network
    is not quite symmetric; pulled towards views drawn at random, the student is pulled towards their
    average, at one teacher pass a step instead of eight, and learns the symmetry into its one pass."""

    def __init__(self, data, teacher, seed=None):
        super().__init__()
        self.data, self.teacher, self.rng = data, teacher, np.random.default_rng(seed)
        teacher.trainable = False  # no gradients recorded through its pass

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        x, y = self.data[index]
        view = ensemble(self.teacher, x, turns=[TURNS[self.rng.integers(len(TURNS))]])
        return x, np.concatenate([np.asarray(y, "float32"), view], axis=-1)

    def on_epoch_end(self):
        self.data.on_epoch_end()


class DistillTrainer(PerceptualTrainer):
    """The loss against the high-res target (channels 0-2), ``1 - weight``, plus against the teacher's
    view (channels 3-5), ``weight``; held-out batches, without a view, get the plain loss, so validation
    losses stay comparable with other runs'."""

    def __init__(self, net, loss, *, weight, **kwargs):
        super().__init__(net, loss, **kwargs)
        self.weight = weight

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if y.shape[-1] == 3:
            return self.perceptual(y, y_pred)
        hr, view = y[..., :3], y[..., 3:]
        return (1 - self.weight) * self.perceptual(hr, y_pred) + self.weight * self.perceptual(view, y_pred)


def data_parallel_devices(batch_size):
    """All devices for ``keras.distribution.DataParallel`` (JAX only), checked against the batch."""
    if keras.backend.backend() != "jax":
        raise NSTError(f"--data-parallel uses Keras' distribution API, which runs on JAX: set KERAS_BACKEND=jax "
                       f"(now {keras.backend.backend()}); on TensorFlow use tf.distribute, see the README")
    devices = keras.distribution.list_devices()
    if batch_size % len(devices):
        raise NSTError(f"--batch-size {batch_size} must be a multiple of the {len(devices)} devices")
    return devices


@contextlib.contextmanager
def distributed(devices):
    """Models built and trained inside split each batch across ``devices`` (None: one device)."""
    if not devices:
        yield
        return
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
    try:
        yield
    finally:
        keras.distribution.set_distribution(None)


def train(data, out, *, settings=Settings(), epochs=TRAIN_EPOCHS, batch_size=BATCH_SIZE, lr=TRAIN_LR,
          lr_final=TRAIN_LR_FINAL, val_fraction=VAL_FRACTION, seed=0, weights="auto", time_limit=None,
          steps_per_epoch=None, resume=False, overwrite=False, init_from=None, data_parallel=False,
          warmup=0, augment=False):
    """Train the x4 network on a prepared folder; saves it to ``out`` (.keras). Returns the history.

    ``settings.precision="mixed"`` trains network and VGG in bfloat16 (faster on a GPU or a CPU with
    bfloat16 instructions); the saved model is float32 all the same. ``init_from`` starts from a
    trained network's weights (e.g. the perceptual model from the PSNR one). ``data_parallel`` splits
    each batch across all devices (JAX backend). ``warmup``: steps of a linear rise to ``lr`` first (for
    a run that starts from a trained network). ``augment``: each training pair flipped and turned at
    random (``BcolzArrayIterator``'s), the held-out pairs as they are, so validation loss stays comparable.
    ``settings.distill_from``: also learn from a teacher's turned views (``TeacherViews``). The saved
    model back-projects its result ``settings.back_projections()`` times; in training too with
    ``settings.train_back_projected``.
    """
    ckpt = check(out, settings=settings, data=data, epochs=epochs, batch_size=batch_size, lr=lr, lr_final=lr_final,
                 val_fraction=val_fraction, time_limit=time_limit, steps_per_epoch=steps_per_epoch, resume=resume,
                 overwrite=overwrite, init_from=init_from, warmup=warmup)
    settings.terms()  # the loss's layers and weights, still before any work
    devices = data_parallel_devices(batch_size) if data_parallel else None
    if devices:
        print(f"data parallel over {len(devices)} devices: {', '.join(devices)}")
    settings, state = start_run(ckpt, settings, epochs=epochs, resume=resume, overwrite=overwrite)
    manifest, X, Y = open_arrays(data)
    trn_chunks, val_chunks = split_chunks(len(X), X.chunklen, val_fraction, manifest.get("rows"))
    trn = BcolzArrayIterator(X, Y, batch_size, shuffle=True, seed=seed, chunks=trn_chunks,
                             augment=augment)
    val = BcolzArrayIterator(X, Y, batch_size, chunks=val_chunks) if len(val_chunks) else None
    steps = steps_per_epoch or len(trn)  # longer than the data: _Epochs starts it again
    keras.utils.set_random_seed(seed)
    with distributed(devices):
        source = load_model(init_from) if init_from and state is None else None
        if settings.n_res is None:
            settings = replace(settings, n_res=(res_blocks(source) if source is not None else 0) or N_RES)
        sr = upsampler(arch=settings.arch, upsample=settings.upsample, n_res=settings.n_res,
                       precision=settings.precision)
        if source is not None:
            try:
                copy_weights(sr, source)
            except ValueError as e:
                raise NSTError(f"{init_from}: not a network of this --arch/--upsample/--n-res ({e})") from None
        if settings.train_back_projected:
            sr = back_projected(sr, settings.back_projections())
        loss = PerceptualLoss(settings.terms(), vgg_weights=weights, precision=settings.precision)
        if settings.distill_from:
            trn = TeacherViews(trn, load_model(settings.distill_from), seed=[seed, 2])
            trainer = DistillTrainer(sr, loss, weight=settings.distill_weight)
        else:
            trainer = PerceptualTrainer(sr, loss)
        record = dict(network_loss=asdict(settings), lr=lr, lr_final=lr_final, warmup=warmup, epochs=epochs,
                      batch_size=batch_size, data=str(data), augment=augment)
        history = fit(trainer, trn, epochs=epochs, steps_per_epoch=steps, lr=lr, lr_final=lr_final,
                      checkpoint=ckpt, settings=record, validation_data=val, resume_state=state,
                      time_limit=time_limit, warmup=warmup)
    save_model(back_projected(sr, settings.back_projections()), out)  # saved as float32
    return history
