"""Lesson 9's trained networks taken elsewhere: a fast style or super-resolution network exported to
ONNX, LiteRT (.tflite) or a TensorFlow SavedModel, to run without Keras (onnxruntime in a few lines of
NumPy, a phone's LiteRT interpreter).

The checks are Keras-free, so a missing converter or a taken output name is one line before Keras
loads. The conversion is Keras' own ``model.export`` through TensorFlow, of a float32 copy of the
network at a free input size; the written file runs anywhere, whatever precision the network would
compute in here. Before the file gets its name it is run by its own runtime on a photo and compared
with the Keras network: below ``EXPORT_MIN_PSNR`` it is refused and nothing is left behind.
"""

import importlib.util
import math
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .atomic import atomic_dir
from .defaults import EXPORT_CHECK_SIDE, EXPORT_FORMATS, EXPORT_MIN_PSNR
from .errors import NSTError
from .image_io import check_output, fresh_path, load_image, write_output

EXTRA = "pip install 'keras-nst[export]'"
# the modules each format needs beyond the base install, all in the export extra: the converter and the
# runtime that checks its file (LiteRT's converter comes with TensorFlow, a SavedModel is TensorFlow's own)
NEEDS = {"onnx": ("tf2onnx", "onnxruntime"), "litert": ("ai_edge_litert",), "savedmodel": ()}
RUNTIMES = {"onnx": "onnxruntime", "litert": "the LiteRT interpreter", "savedmodel": "TensorFlow"}
# the check photo's shorter side after resizing, in result px (an x4 network's input: a quarter): wider than
# the networks' mirror padding (fast style's: 40 px)
MIN_CHECK_SIDE = 64


def check_format(fmt):
    """``fmt`` is a format and this installation has what converting and checking it needs."""
    if fmt not in EXPORT_FORMATS:
        raise NSTError(f"--format {fmt}: use one of {', '.join(EXPORT_FORMATS)}")
    missing = [m for m in NEEDS[fmt] if importlib.util.find_spec(m) is None]
    if missing:
        raise NSTError(f"--format {fmt} needs {' and '.join(missing)}, not installed: {EXTRA}")
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if backend != "tensorflow":
        raise NSTError(f"KERAS_BACKEND={backend}: export converts through TensorFlow; run it with "
                       "KERAS_BACKEND=tensorflow (the file it writes runs without any Keras backend)")


def plan_output(out, name, fmt, *, model_path=None, overwrite=False):
    """Where ``export`` writes: ``out``, or by default ``name`` with the format's suffix here, never a
    name that exists; checked before Keras loads like any output."""
    suffix = EXPORT_FORMATS[fmt]
    if suffix:
        path = Path(out) if out else fresh_path(name, suffix)
        return check_output(path, [model_path], (suffix,), overwrite=overwrite)
    path = Path(out) if out else fresh_path(f"{name}_savedmodel", "")
    if not path.parent.is_dir():
        raise NSTError(f"{path}: folder {path.parent} does not exist")
    if path.exists() and not path.is_dir():
        raise NSTError(f"{path}: is a file; a SavedModel is a folder: choose another --out")
    if path.exists() and not overwrite:
        raise NSTError(f"{path}: already exists; pass --overwrite to replace it, or choose another --out")
    return path


def check_photo(photo=None, *, scale=1):
    """The photo the export is checked on, as float32 (H, W, 3) 0-255, resized so that the network's
    result is ``EXPORT_CHECK_SIDE`` px long (a ``scale`` x network gets 1/``scale`` of that)."""
    if photo is None:  # a photo that ships inside scikit-image, a dependency: found without importing it
        photo = Path(importlib.util.find_spec("skimage").origin).parent / "data" / "coffee.png"
    image = load_image(photo, EXPORT_CHECK_SIDE // scale)
    if min(image.shape[:2]) < MIN_CHECK_SIDE // scale:
        raise NSTError(f"--photo {photo}: {image.shape[1]}x{image.shape[0]} px at the check's size, narrower than "
                       f"{MIN_CHECK_SIDE // scale} px: choose a less elongated photo")
    return image.astype("float32")


def psnr(a, b):
    """PSNR in dB of two float results on the 0-255 scale, each clipped to it as images are saved."""
    a, b = (np.clip(np.asarray(v, "float64"), 0, 255) for v in (a, b))
    mse = np.mean((a - b) ** 2)
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def exportable(model):
    """A float32 copy of ``model`` (the same weights) that every format's converter takes whole:
    ``UpSampling2D`` traced as ``RepeatUpsampling2D`` (the same values, its channels known)."""
    import keras

    from .backend import in_precision
    from .layers import RepeatUpsampling2D

    def clone(layer):
        if isinstance(layer, keras.layers.UpSampling2D) and layer.interpolation == "nearest":
            return RepeatUpsampling2D(layer.size, name=layer.name)
        return layer  # the layer itself: its weights, shared

    return keras.models.clone_model(in_precision(model, "float32"), clone_function=clone)


def convert(model, path, fmt):
    """Write ``model`` (``exportable``'s) to ``path`` in ``fmt``, its input size and batch left free."""
    import tensorflow as tf

    channels = model.inputs[0].shape[-1]  # 3 for a picture; a decoder's features have their level's
    signature = [tf.TensorSpec((None, None, None, channels), tf.float32, name=model.inputs[0].name)]
    # only LiteRT's own operators: a file with TensorFlow ops inside needs the Flex delegate to run
    options = {"litert": dict(target_spec={"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]}),
               "savedmodel": {}, "onnx": {}}[fmt]
    with warnings.catch_warnings():  # tf2onnx's NumPy 2 notices, Keras' patch for them
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        model.export(str(path), format="tf_saved_model" if fmt == "savedmodel" else fmt, verbose=False,
                     input_signature=signature, **options)


def runner(path, fmt):
    """``run(batch) -> result``: the exported file at ``path`` in its own runtime, on float32 NHWC batches."""
    if fmt == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        return lambda batch: session.run(None, {name: batch})[0]
    if fmt == "litert":
        from ai_edge_litert.interpreter import Interpreter

        interpreter = Interpreter(model_path=str(path), num_threads=os.cpu_count())
        (inp,), out = interpreter.get_input_details(), interpreter.get_output_details()[0]["index"]
        planned = []  # the batch shape the interpreter's memory is planned for

        def run(batch):  # the file's input is 1x1x1x3 until told the photo's size; planned once a size
            if planned != [batch.shape]:
                interpreter.resize_tensor_input(inp["index"], batch.shape, strict=True)
                interpreter.allocate_tensors()
                planned[:] = [batch.shape]
            interpreter.set_tensor(inp["index"], batch)
            interpreter.invoke()
            return interpreter.get_tensor(out)

        return run
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))  # kept by the closure: its function reads the object's variables
    return lambda batch: loaded.serve(tf.constant(batch)).numpy()


@dataclass(frozen=True)
class Exported:
    """What ``export_network`` wrote and how its file compares with the Keras network."""

    path: Path
    fmt: str
    bytes: int
    psnr: float
    shape: tuple  # the check photo's (H, W)
    result: tuple  # and its result's
    seconds: float  # converting and checking
    channels: int = 3  # the input's: a picture, or a decoder's features

    def line(self):
        (h, w), (rh, rw) = self.shape, self.result
        what = "photo" if self.channels == 3 else f"photo's features ({self.channels} channels)"
        photo = f"{w}x{h} {what}" + (f" (result {rw}x{rh})" if (rh, rw) != (h, w) else "")
        same = "the same result as" if math.isinf(self.psnr) else f"PSNR {self.psnr:.1f} dB against"
        return (f"wrote {self.path} ({self.fmt}, {self.bytes / 1e6:.1f} MB, float32, any input size) in "
                f"{self.seconds:.0f} s; {RUNTIMES[self.fmt]} on a {photo}: {same} the Keras network (at least "
                f"{EXPORT_MIN_PSNR:g} dB required)")


def export_network(model, out, *, fmt, photo, overwrite=False, min_psnr=EXPORT_MIN_PSNR):
    """Export ``model`` (a one-input image network) to ``out`` in ``fmt``, checked first: the file, run
    by its own runtime on ``photo`` (float32 (H, W, 3) 0-255, ``check_photo``'s), must come within
    ``min_psnr`` dB of the Keras network's float32 result, else a one-line error and nothing written.
    Written atomically; an existing ``out`` is replaced only with ``overwrite``."""
    from .backend import predict

    started = time.perf_counter()
    model = exportable(model)
    batch = np.ascontiguousarray(photo[None], "float32")
    reference = predict(model, batch)
    got = {}

    def write(tmp):
        convert(model, tmp, fmt)
        got["psnr"] = psnr(runner(tmp, fmt)(batch), reference)
        if not got["psnr"] >= min_psnr:  # NaN too
            raise NSTError(f"{out}: not written: {RUNTIMES[fmt]} runs the exported file {got['psnr']:.1f} dB PSNR from "
                           f"the Keras network's result on the check photo, below the {min_psnr:g} dB required")

    if EXPORT_FORMATS[fmt]:
        out = write_output(out, write, overwrite=overwrite)
        size = out.stat().st_size
    else:
        try:
            with atomic_dir(out, replace=overwrite) as tmp:
                write(tmp)
        except FileExistsError:
            raise NSTError(f"{out}: appeared while this run worked (another run?); not replaced: pass --overwrite "
                           "to replace it, or choose another --out") from None
        size = sum(f.stat().st_size for f in Path(out).rglob("*") if f.is_file())
    return Exported(Path(out), fmt, size, got["psnr"], photo.shape[:2], reference.shape[1:3],
                    time.perf_counter() - started, photo.shape[-1])

