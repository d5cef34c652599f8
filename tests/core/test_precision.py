"""``--precision auto``, the default: bfloat16 where the device computes it natively and the backend
gains from it, float32 elsewhere; trained float32 networks rebuilt to run in bfloat16 within 45 dB
of their float32 results; training in mixed precision ships float32."""

import json
import sys

import keras
import numpy as np
import pytest
from PIL import Image

from keras_nst.core import backend
from keras_nst.core.errors import NSTError

from helpers import skimage_rgb

MIN_PSNR = 45.0  # dB against the float32 result: invisible


@pytest.fixture
def flags(monkeypatch):
    """Set the CPU flags ``auto`` sees (and on no GPU); the cached decision is forgotten before and after."""

    def use(*names):
        monkeypatch.setattr(backend, "cpu_flags", lambda: frozenset(names))
        monkeypatch.setattr(backend, "_gpu_bfloat16", lambda name: False)
        backend.resolve_precision.cache_clear()

    yield use
    backend.resolve_precision.cache_clear()


@pytest.mark.parametrize("cpu, expected", [(("avx2", "avx512_bf16"), "mixed"), (("amx_bf16", "amx_tile"), "mixed"),
                                           (("avx2", "fma"), "float32"), ((), "float32")])
def test_auto_is_mixed_only_where_the_cpu_computes_bfloat16(flags, cpu, expected):
    flags(*cpu)
    assert backend.resolve_precision("auto") == expected
    assert backend.resolve_precision("float32") == "float32" and backend.resolve_precision("mixed") == "mixed"
    with pytest.raises(NSTError, match="unknown --precision 'float8'"):
        backend.resolve_precision("float8")


def test_auto_on_jax_stays_float32_on_a_cpu(flags, monkeypatch):
    pytest.importorskip("jax")
    flags("avx512_bf16", "amx_bf16")
    monkeypatch.setattr(backend.keras.backend, "backend", lambda: "jax")  # XLA's CPU code gains nothing (1.00x)
    assert backend.resolve_precision("auto") == "float32"


def test_auto_on_a_bfloat16_gpu(flags, monkeypatch):
    flags()
    monkeypatch.setattr(backend, "_gpu_bfloat16", lambda name: True)
    assert backend.resolve_precision("auto") == "mixed"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="flags are read from /proc/cpuinfo")
def test_cpu_flags_are_read_from_the_system():
    assert {"fpu"} <= backend.cpu_flags()  # every x86 Linux CPU lists it; others list other flags


@pytest.mark.parametrize("argv, expected", [
    (["transfer", "--content", "c.jpg", "--style", "s.jpg"], "auto"), (["content", "--content", "c.jpg"], "auto"),
    (["style", "--style", "s.jpg"], "auto"), (["demo"], "auto"), (["fast-stylize", "p.jpg"], "auto"),
    (["report"], "auto"), (["fast-train", "--data", "d", "--out", "m.keras"], "float32")])
def test_commands_default_to_auto_and_training_to_float32(argv, expected):
    from keras_nst.cli import parser
    from keras_nst.core.runs import run_precision

    precision = parser().parse_args(argv).precision
    assert (run_precision("m.keras", precision, resume=False) if "train" in argv[0] else precision) == expected


@pytest.mark.parametrize("argv, expected", [(["upscale", "p.jpg"], "auto"),
                                            (["train", "--data", "d", "--out", "m.keras"], "float32")])
def test_super_res_commands_default_to_auto_and_training_to_float32(argv, expected):
    from keras_nst.core.runs import run_precision
    from super_res.cli import parser

    precision = parser().parse_args(argv).precision
    assert (run_precision("m.keras", precision, resume=False) if argv[0] == "train" else precision) == expected


def psnr(a, b):
    err = np.mean((np.asarray(a, "float64") - np.asarray(b, "float64")) ** 2)
    return float("inf") if err == 0 else 10 * np.log10(255**2 / err)


def _photos(data=None):
    photos = [skimage_rgb("astronaut", (96, 96)), skimage_rgb("coffee", (120, 80))]
    if data is not None:  # the course's content photos and Set5, at small size
        from keras_nst.core.image_io import find_images, load_image

        paths = find_images(data / "content") + find_images(data / "sr" / "eval" / "Set5")
        photos += [load_image(p, 96) for p in paths]
    return photos


def _check_bfloat16(load, run, photos):
    full, mixed = load("float32"), load("mixed")
    policies = [layer.dtype_policy.name for layer in mixed.layers if not isinstance(layer, keras.layers.InputLayer)]
    assert "mixed_bfloat16" in policies and policies[-1] == "float32"  # the last conv on stays float32
    assert [np.array_equal(a, b) for a, b in zip(full.get_weights(), mixed.get_weights())] == [True] * len(
        full.get_weights())  # one float32 file, two precisions
    scores = [psnr(run(full, p), run(mixed, p)) for p in photos]
    assert min(scores) >= MIN_PSNR, scores
    assert max(scores) < float("inf")  # it really computed in bfloat16


def test_fast_styles_in_bfloat16_stay_within_45_db(data_or_none):
    from keras_nst.fast_style.inference import load_style_model, stylize
    from keras_nst.fast_style.options import shipped

    for name in shipped():
        _check_bfloat16(lambda p, name=name: load_style_model(name, precision=p), lambda m, photo: stylize(m, photo),
                        _photos(data_or_none))


def test_upscaling_in_bfloat16_stays_within_45_db(data_or_none):
    from super_res.defaults import MODELS
    from super_res.upscale import load_model, upscale

    for name in MODELS:
        _check_bfloat16(lambda p, name=name: load_model(name, precision=p),
                        lambda m, photo: upscale(m, photo[:48, :48]), _photos(data_or_none))


@pytest.fixture
def data_or_none():
    from helpers import DATA

    return DATA if DATA.is_dir() else None


def test_summary_lines_name_the_precision(vgg, images, tmp_path, capsys):
    from keras_nst.cli import main

    content, style = images
    assert main(["transfer", "--content", str(content), "--style", str(style), "--out", str(tmp_path / "o.png"),
                 "--size", "48", "--iters", "1", "--precision", "float32"]) == 0
    assert "float32, weights" in capsys.readouterr().out
    assert main(["fast-stylize", str(content), "--out", str(tmp_path / "f.png"), "--precision", "mixed"]) == 0
    assert "with starry_night (bfloat16 (mixed precision))" in capsys.readouterr().out


def test_fast_train_in_mixed_precision_ships_float32(vgg, tmp_path):
    from keras_nst.core.runs import checkpoint_dir
    from keras_nst.fast_style.options import Settings
    from keras_nst.fast_style.training import train

    from helpers import prepare_tiny

    class Factory:  # prepare_tiny's tmp_path_factory, on this test's own folder
        def mktemp(self, name):
            path = tmp_path / name
            path.mkdir()
            return path

    style = tmp_path / "coffee.png"
    Image.fromarray(skimage_rgb("coffee", (48, 48))).save(style)
    out = tmp_path / "m.keras"
    hist = train(prepare_tiny(Factory(), chunklen=2), out, settings=Settings(style=str(style), filters=8, n_res=1,
                                                                            precision="mixed"),
                 epochs=1, batch_size=2, steps_per_epoch=1, image_size=48, sample=str(style))
    assert np.isfinite(hist["loss"]).all()
    state = json.loads((checkpoint_dir(out) / "state.json").read_text())
    assert state["settings"]["network_loss"]["precision"] == "mixed"  # --resume keeps it
    assert keras.config.dtype_policy().name == "float32"  # the global policy is left as it was
    shipped = keras.saving.load_model(out)
    assert {layer.compute_dtype for layer in shipped.layers} == {"float32"}
