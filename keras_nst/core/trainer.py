"""Lesson 9's perceptual-loss training, shared by every feed-forward task.

A task supplies the network, the (input, target) batches and its terms (``terms``): super-resolution
compares the output with the high-res target (pixels, and VGG16 features as the lesson's
perceptual loss); fast style transfer compares it with the input photo (content features) and with
one style image given once (Gram matrices), plus total variation. Training is Keras' own ``fit``
with Adam and cosine annealing, a tqdm bar, stock ``TerminateOnNaN``, a time limit and a checkpoint
each good epoch that ``--resume`` continues from.

Why not ``keras.callbacks.BackupAndRestore``: it overwrites its weights file in place and then its
metadata, so a kill while writing leaves a truncated file or new weights beside old metadata, and
it resumes from either. ``Checkpoint`` writes each epoch's weights (network, optimiser state) to a
new file by an atomic rename, then the state file naming it, so the state always names a complete
file of its own epoch.
"""

import dataclasses
import json
import math
import time
import warnings
from pathlib import Path

import keras
from keras import ops

from .atomic import atomic_path, release_dir
from .backend import in_precision
from .errors import NSTError
from .runs import STATE, checkpoint_dir, start_state
from .terms import Objective
from .vgg import feature_model, preproc_tensor, vgg16_avg


class PerceptualLoss:
    """``loss(target, output)`` on RGB 0-255 batches: the terms' weighted sum.

    Each term's reference is the batch's ``target``, or, for the terms named in ``fixed`` (name ->
    RGB batch), that one image, whose constants are computed here once. ``features`` is the frozen
    VGG16 sub-model for the terms' layers (None when no term reads features: pixel-only losses).
    """

    def __init__(self, terms, *, fixed=None, vgg_weights="auto", precision="float32"):
        self.objective = Objective(terms)
        self.features = None
        if self.objective.layers:
            self.features = feature_model(vgg16_avg(vgg_weights, precision), self.objective.layers)
            self.features.trainable = False
        fixed = {name: ops.cast(image, "float32") for name, image in (fixed or {}).items()}
        self.fixed = self.objective.constants(fixed, self.features_of)

    def features_of(self, images):
        if self.features is None:
            return {}
        return self.objective.features(self.features(preproc_tensor(images)))

    def _frozen(self, images):  # the reference's features: constants, no backward pass through them
        return {k: ops.stop_gradient(v) for k, v in self.features_of(images).items()}

    def __call__(self, target, output):
        target, output = ops.cast(target, "float32"), ops.cast(output, "float32")
        refs = {t.name: target for t in self.objective.terms if t.name not in self.fixed}
        consts = {**self.objective.constants(refs, self._frozen), **self.fixed}
        return self.objective(output, self.features_of(output), consts)


class PerceptualTrainer(keras.Model):
    """Trains ``net`` (input -> image) on ``loss(target, net(input))``; the frozen VGG16 travels
    with it, so Keras passes its weights to the compiled step instead of baking them in."""

    def __init__(self, net, loss, **kwargs):
        super().__init__(**kwargs)
        self.net, self.perceptual, self.vgg = net, loss, loss.features

    def call(self, x, training=False):
        return self.net(x, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return self.perceptual(y, y_pred)  # Keras' train/test steps track it as "loss"


class Checkpoint(keras.callbacks.Callback):
    """After each epoch with a finite loss: the trainer's weights (network, frozen VGG16, optimiser
    state) in a new ``epochNNNN.weights.h5``, then ``state.json`` naming it, each written atomically;
    older weight files are removed only after that. ``settings`` (JSON) are kept for resuming."""

    def __init__(self, folder, settings):
        super().__init__()
        self.folder, self.settings = Path(folder), settings

    def on_epoch_end(self, epoch, logs=None):
        if not math.isfinite(float((logs or {}).get("loss", float("nan")))):
            return  # never checkpoint a diverged network over the last good one
        self.folder.mkdir(exist_ok=True)
        name = f"epoch{epoch + 1:04d}.weights.h5"
        with atomic_path(self.folder / name) as tmp:
            self.model.save_weights(tmp)
        state = {"epoch": epoch + 1, "weights": name, "settings": self.settings}
        with atomic_path(self.folder / STATE) as tmp:
            Path(tmp).write_text(json.dumps(state, indent=1))
        for old in self.folder.glob("epoch*.weights.h5"):
            if old.name != name:
                old.unlink()

    @staticmethod
    def restore(trainer, folder, state):
        """Load the network's and the optimiser's state (the optimiser must be compiled)."""
        path = Path(folder) / state["weights"]
        if not trainer.built:  # its parts are built; a symbolic call marks the whole as built too
            trainer.build(trainer.net.input.shape)
        trainer.optimizer.build(trainer.trainable_variables)
        try:
            with warnings.catch_warnings():  # Keras only warns when it skips mismatched optimizer state
                warnings.filterwarnings("error", message="Skipping variable loading")
                trainer.load_weights(path)
        except Exception as e:  # h5py and Keras raise assorted types for damaged files
            raise NSTError(f"{path}: damaged checkpoint, cannot resume ({type(e).__name__}: {e}); "
                           "start again with --overwrite") from None


class _Progress(keras.callbacks.Callback):
    """A tqdm bar per epoch, the epoch's losses printed, and the time limit."""

    def __init__(self, steps, deadline):
        super().__init__()
        self.steps, self.deadline = steps, deadline

    def on_epoch_begin(self, epoch, logs=None):
        from tqdm import tqdm

        self.bar = tqdm(total=self.steps, desc=f"epoch {epoch + 1}", unit="batch", dynamic_ncols=True)
        self.began, self.done, self.ended = time.monotonic(), 0, None

    def on_train_batch_end(self, batch, logs=None):
        self.bar.set_postfix(loss=f"{float(logs['loss']):.5g}")  # float() waits for the step: honest timing
        self.bar.update()
        self.done, self.ended = self.done + 1, time.monotonic()
        if self.deadline and self.ended > self.deadline:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        self.bar.close()
        val = f", validation loss {logs['val_loss']:.5g}" if "val_loss" in logs else ""
        # the training steps' own time (validation left out): what a run's --epochs x --steps-per-epoch
        # is sized by, to end its cosine schedule inside a time budget
        took = f"; {self.done} steps in {self.ended - self.began:.1f} s" if self.done else ""
        self.bar.write(f"epoch {epoch + 1}: loss {logs['loss']:.5g}{val}{took}")


class _Epochs(keras.utils.PyDataset):
    """Epochs of ``steps`` batches taken in turn from ``data``, which starts again (reshuffled by its
    ``on_epoch_end``) whenever it runs out: given a ``steps_per_epoch`` shorter than the data, Keras
    carries its iterator across epochs and cuts short, with a warning, the epoch in which it runs out
    (every 3.5th epoch of 200 steps over 698 batches), so a run made fewer steps than its schedule."""

    def __init__(self, data, steps):
        super().__init__()
        self.data, self.steps, self.next = data, steps, 0

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        if self.next == len(self.data):
            self.next = 0
            self.data.on_epoch_end()
        self.next += 1
        return self.data[self.next - 1]


def schedule(lr, lr_final, steps, warmup=0):
    """The learning rate by step: 0 -> ``lr`` over ``warmup`` steps, then cosine down to ``lr_final``."""
    return keras.optimizers.schedules.CosineDecay(
        0.0 if warmup else lr, decay_steps=max(1, steps - warmup), alpha=lr_final / lr,
        warmup_target=lr if warmup else None, warmup_steps=warmup)


def fit(trainer, data, *, epochs, steps_per_epoch, lr, lr_final, checkpoint, settings, validation_data=None,
        validation_steps=None, resume_state=None, time_limit=None, warmup=0, callbacks=()):
    """Adam with cosine annealing from ``lr`` to ``lr_final`` over all the run's steps, after ``warmup``
    steps rising linearly from 0 to ``lr`` (Adam's first steps move every weight by ~lr whatever its
    gradient, which shakes a trained network for a few hundred steps when a run starts from it); a checkpoint
    in ``checkpoint`` after each good epoch; ``resume_state`` (``runs.start_state``) continues one, or,
    when it has finished all ``epochs``, only restores it (an empty history). ``callbacks``: the task's
    own (e.g. a sample image each epoch). Returns Keras' history; a loss that turns NaN or infinite
    stops the run with a one-line error."""
    trainer.compile(optimizer=keras.optimizers.Adam(schedule(lr, lr_final, epochs * steps_per_epoch, warmup)))
    start = 0
    if resume_state is not None:
        Checkpoint.restore(trainer, checkpoint, resume_state)
        start = resume_state["epoch"]
    if start >= epochs:  # its run was killed while writing the model: the caller writes it now
        return {}
    deadline = time.monotonic() + 60 * time_limit if time_limit else None
    callbacks = [keras.callbacks.TerminateOnNaN(), _Progress(steps_per_epoch, deadline),
                 Checkpoint(checkpoint, settings), *callbacks]
    history = trainer.fit(_Epochs(data, steps_per_epoch), epochs=epochs, initial_epoch=start,
                          validation_data=validation_data, validation_steps=validation_steps, verbose=0,
                          callbacks=callbacks).history
    if history and not math.isfinite(history["loss"][-1]):
        last = f"the last good checkpoint is in {checkpoint}" if (Path(checkpoint) / STATE).exists() \
            else "no checkpoint was written"
        raise NSTError(f"the loss became {history['loss'][-1]} at epoch {start + len(history['loss'])}: the "
                       f"learning rate (--lr {lr}) is likely too high for these loss weights; {last}")
    return history


def start_run(ckpt, settings, *, epochs, resume, overwrite):
    """``(settings, state)`` of a run about to start: a resumed run's settings (a frozen dataclass,
    saved as the record's ``network_loss``) come back from its checkpoint. A setting passed with
    another value than the checkpoint's (and not left at its default) is refused in one line
    naming its flag, rather than silently ignored; the settings' ``FLAGS`` maps a field to its flag
    where the two names differ."""
    state = start_state(ckpt, epochs=epochs, resume=resume, overwrite=overwrite)
    if state:
        kind, saved = type(settings), state["settings"]["network_loss"]
        saved = kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()})
        default = kind()
        for f in dataclasses.fields(kind):
            given, kept = getattr(settings, f.name), getattr(saved, f.name)
            if given != kept and given != getattr(default, f.name):
                flag = getattr(kind, "FLAGS", {}).get(f.name, "--" + f.name.replace("_", "-"))
                raise NSTError(f"{ckpt}: its run was trained with {flag} {_shown(kept)}, not {_shown(given)}; "
                               f"--resume keeps a run's settings: leave {flag} out, or start again with --overwrite")
        settings = saved
    return settings, state


def _shown(value):
    return " ".join(map(str, value)) if isinstance(value, tuple) else str(value)


def save_model(model, path):
    """``model`` saved as float32 (a mixed-precision network's float32 copy): what ships, and what
    ``--precision`` turns into either precision at load time. A training run lets go of its
    checkpoint folder (``runs.start_state``) once its model is written."""
    model = in_precision(model, "float32")
    with atomic_path(path) as tmp:
        model.save(tmp)
    release_dir(checkpoint_dir(path))
