"""Lesson 9's training: Adam with an annealed learning rate on the perceptual loss, by bcolz chunks.

Each epoch ends with a checkpoint (the model, the optimiser's state, the epoch) written atomically
beside the output, so ``--resume`` continues where an interrupted run stopped. A held-out slice of
chunks reports validation loss each epoch: the lesson's homework, "is it overfitting?". A NaN loss
stops the run with a message, keeping the last good checkpoint.
"""

import json
import math
import time
from pathlib import Path

import keras
import numpy as np

from keras_nst.atomic import atomic_path
from keras_nst.errors import NSTError

from .iterator import BcolzArrayIterator, split_chunks
from .layers import ReflectionPadding2D  # noqa: F401  (registers the layer for load_model)
from .loss import LOSS_LAYERS, PerceptualLoss, PerceptualTrainer
from .model import as_float32, upsampler
from .prepare import open_arrays


def checkpoint_dir(out):
    return Path(str(out) + ".ckpt")


def save_model(model, path):
    with atomic_path(path) as tmp:
        model.save(tmp)


def _save_checkpoint(trainer, folder, epoch, settings):
    folder.mkdir(exist_ok=True)
    save_model(trainer.sr, folder / "model.keras")
    with atomic_path(folder / "optimizer.npz") as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, *[keras.ops.convert_to_numpy(v) for v in trainer.optimizer.variables])
    with atomic_path(folder / "state.json") as tmp:  # written last: it vouches for the two files above
        Path(tmp).write_text(json.dumps({"epoch": epoch, **settings}, indent=1))


def _load_checkpoint(folder):
    try:
        state = json.loads((folder / "state.json").read_text())
        sr = keras.saving.load_model(folder / "model.keras")
        slots = np.load(folder / "optimizer.npz")
        return state, sr, [slots[f"arr_{i}"] for i in range(len(slots.files))]
    except (OSError, ValueError, KeyError) as e:
        raise NSTError(f"{folder}: no usable checkpoint to resume from ({type(e).__name__}: {e})") from None


class _Progress(keras.callbacks.Callback):
    """tqdm per epoch, validation loss printed, NaN stops, checkpoint each good epoch, time limit."""

    def __init__(self, steps, save, deadline):
        super().__init__()
        self.steps, self.save, self.deadline, self.bad = steps, save, deadline, None

    def on_epoch_begin(self, epoch, logs=None):
        from tqdm import tqdm

        self.epoch = epoch
        self.bar = tqdm(total=self.steps, desc=f"epoch {epoch + 1}", unit="batch", dynamic_ncols=True)

    def on_train_batch_end(self, batch, logs=None):
        loss = float(logs["loss"])
        self.bar.set_postfix(loss=f"{loss:.5g}")
        self.bar.update()
        if not math.isfinite(loss):
            self.bad = (self.epoch, batch)
            self.model.stop_training = True
        elif self.deadline and time.monotonic() > self.deadline:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        self.bar.close()
        if self.bad is None:
            val = f", validation loss {logs['val_loss']:.5g}" if "val_loss" in logs else ""
            self.bar.write(f"epoch {epoch + 1}: loss {logs['loss']:.5g}{val}")
            self.save(epoch + 1)


def train(data, out, epochs=1, batch_size=16, lr=1e-3, lr_final=1e-4, upsample="upsample",
          loss_layers=LOSS_LAYERS, layer_weights=None, pixel_weight=0.0, resume=False, val_fraction=0.1,
          seed=0, weights="auto", time_limit=None, steps_per_epoch=None, precision="float32"):
    """Train the x4 network on a prepared folder; saves it to ``out`` (.keras). Returns the history.

    ``precision="mixed"`` trains network and VGG in bfloat16 (about 1.6x faster on a CPU with bfloat16
    instructions; more on a GPU); the saved model is float32 all the same.
    """
    out = Path(out)
    if not 0 < lr_final <= lr:
        raise NSTError(f"learning rates must satisfy 0 < --lr-final ({lr_final}) <= --lr ({lr})")
    if out.suffix != ".keras":
        raise NSTError(f"{out}: the model is saved in Keras' format; name it *.keras")
    ckpt = checkpoint_dir(out)
    if out.exists() and not resume:
        raise NSTError(f"{out}: already exists; pass --resume to continue training it, or choose another --out")
    manifest, X, Y = open_arrays(data)
    trn_chunks, val_chunks = split_chunks(len(X), X.chunklen, val_fraction)
    trn = BcolzArrayIterator(X, Y, batch_size, shuffle=True, seed=seed, chunks=trn_chunks)
    val = BcolzArrayIterator(X, Y, batch_size, chunks=val_chunks) if len(val_chunks) else None
    steps = min(steps_per_epoch or len(trn), len(trn))
    settings = dict(upsample=upsample, loss_layers=list(loss_layers), layer_weights=layer_weights,
                    pixel_weight=pixel_weight, precision=precision, lr=lr, lr_final=lr_final, epochs=epochs,
                    batch_size=batch_size)
    start, slots = 0, None
    if resume:
        state, sr, slots = _load_checkpoint(ckpt)
        start = state["epoch"]
        if start >= epochs:
            raise NSTError(f"{ckpt}: already trained for {start} epochs; pass a larger --epochs to go on")
        settings.update({k: state[k] for k in ("upsample", "loss_layers", "layer_weights", "pixel_weight")},
                        precision=state.get("precision", "float32"))
    else:
        keras.utils.set_random_seed(seed)
        sr = upsampler(upsample, precision=precision)
    loss = PerceptualLoss(settings["loss_layers"], settings["layer_weights"], settings["pixel_weight"], weights,
                          settings["precision"])
    trainer = PerceptualTrainer(sr, loss)
    schedule = keras.optimizers.schedules.CosineDecay(lr, decay_steps=max(1, epochs * steps), alpha=lr_final / lr)
    trainer.compile(optimizer=keras.optimizers.Adam(schedule))
    if slots is not None:
        trainer.optimizer.build(trainer.trainable_variables)
        for var, value in zip(trainer.optimizer.variables, slots):
            var.assign(value)
    progress = _Progress(steps, lambda epoch: _save_checkpoint(trainer, ckpt, epoch, settings),
                         time.monotonic() + 60 * time_limit if time_limit else None)
    history = trainer.fit(trn, epochs=epochs, initial_epoch=start, steps_per_epoch=steps, validation_data=val,
                          verbose=0, callbacks=[progress])
    if progress.bad:
        epoch, batch = progress.bad
        raise NSTError(f"loss became NaN at epoch {epoch + 1}, batch {batch + 1}: try a lower --lr; "
                       f"the last good checkpoint is in {ckpt}")
    save_model(as_float32(sr, settings["upsample"]), out)
    return history.history
