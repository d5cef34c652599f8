"""Lesson 9's training: Adam with an annealed learning rate on the perceptual loss, by bcolz chunks.

The shared perceptual trainer (``keras_nst.core.trainer``) does the work; this module supplies the
network, the (72 px, 288 px) pairs and the terms. A held-out slice of chunks reports validation
loss each epoch: the lesson's homework, "is it overfitting?". Every setting is checked, and the
output and checkpoint folders too, before any data is read.
"""

import contextlib
from dataclasses import asdict, dataclass, replace

import keras

from keras_nst.core.arrays import open_arrays, split_chunks
from keras_nst.core.defaults import LOSS_LAYERS, PRECISIONS
from keras_nst.core.errors import NSTError
from keras_nst.core.iterator import BcolzArrayIterator
from keras_nst.core.trainer import PerceptualLoss, PerceptualTrainer, check_run, fit, positive, save_model, start_state

from .defaults import ARCHS, N_RES, UPSAMPLES
from .loss import sr_terms
from .model import as_float32, copy_weights, res_blocks, upsampler
from .upscale import load_model, model_path


@dataclass(frozen=True)
class Settings:
    """What a checkpoint keeps, so that ``--resume`` rebuilds the same network and loss. ``n_res=None``:
    the ``init_from`` network's depth (fine-tuning a shipped model needs no ``--n-res``), else ``N_RES``."""

    arch: str = "residual"
    upsample: str = "upsample"
    n_res: int = None
    precision: str = "float32"
    feature_weight: float = 1.0
    loss_layers: tuple = LOSS_LAYERS
    layer_weights: tuple = None
    pixel_weight: float = 0.0
    pixel_loss: str = "mse"

    def terms(self):
        return sr_terms(feature_weight=self.feature_weight, loss_layers=self.loss_layers,
                        layer_weights=self.layer_weights, pixel_weight=self.pixel_weight, pixel_loss=self.pixel_loss)


def check(out, *, settings, init_from, **run):
    """Every option and the output paths, before any work: returns the checkpoint folder."""
    ckpt = check_run(out, **run)
    if settings.arch not in ARCHS or settings.upsample not in UPSAMPLES or settings.precision not in PRECISIONS:
        raise NSTError(f"unknown --arch/--upsample/--precision: {settings.arch}/{settings.upsample}/"
                       f"{settings.precision}")
    if settings.n_res is not None:
        positive(settings.n_res, "--n-res", integer=True)
    settings.terms()  # weights, layers and pixel loss checked
    if init_from and not model_path(init_from).is_file():
        raise NSTError(f"{init_from}: no such model file (--init-from: a shipped model's name or a .keras file)")
    return ckpt


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


def train(data, out, *, settings=Settings(), epochs=2, batch_size=16, lr=1e-3, lr_final=1e-4, val_fraction=0.1,
          seed=0, weights="auto", time_limit=None, steps_per_epoch=None, resume=False, overwrite=False,
          init_from=None, data_parallel=False, warmup=0, augment=False):
    """Train the x4 network on a prepared folder; saves it to ``out`` (.keras). Returns the history.

    ``settings.precision="mixed"`` trains network and VGG in bfloat16 (faster on a GPU or a CPU with
    bfloat16 instructions); the saved model is float32 all the same. ``init_from`` starts from a
    trained network's weights (e.g. the perceptual model from the PSNR one). ``data_parallel`` splits
    each batch across all devices (JAX backend). ``warmup``: steps of a linear rise to ``lr`` first (for
    a run that starts from a trained network). ``augment``: each training pair flipped and turned at
    random (``BcolzArrayIterator``'s), the held-out pairs as they are, so validation loss stays comparable.
    """
    ckpt = check(out, settings=settings, epochs=epochs, batch_size=batch_size, lr=lr, lr_final=lr_final,
                 val_fraction=val_fraction, time_limit=time_limit, steps_per_epoch=steps_per_epoch, resume=resume,
                 overwrite=overwrite, init_from=init_from, warmup=warmup)
    devices = data_parallel_devices(batch_size) if data_parallel else None
    if devices:
        print(f"data parallel over {len(devices)} devices: {', '.join(devices)}")
    state = start_state(ckpt, epochs=epochs, resume=resume, overwrite=overwrite)
    if state:
        saved = state["settings"]["network_loss"]
        settings = Settings(**{k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()})
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
        trainer = PerceptualTrainer(sr, PerceptualLoss(settings.terms(), vgg_weights=weights,
                                                       precision=settings.precision))
        record = dict(network_loss=asdict(settings), lr=lr, lr_final=lr_final, warmup=warmup, epochs=epochs,
                      batch_size=batch_size, data=str(data), augment=augment)
        history = fit(trainer, trn, epochs=epochs, steps_per_epoch=steps, lr=lr, lr_final=lr_final,
                      checkpoint=ckpt, settings=record, validation_data=val, resume_state=state,
                      time_limit=time_limit, warmup=warmup)
    save_model(as_float32(sr), out)
    return history
