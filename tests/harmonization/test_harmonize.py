"""``harmonize`` (Luan et al. 2018): patch matching, the histogram term, pasting an object, the two
passes end to end (the painting kept outside the dilated mask), and bad input as one line."""

import numpy as np
import pytest
from PIL import Image

from keras_nst.core.errors import NSTError
from keras_nst.harmonization.inputs import check_mask, compose, dilate, level_weights

from helpers import skimage_rgb


def test_nearest_patches_find_the_same_place_and_carry_keeps_it():
    from keras_nst.harmonization.passes import carry, consistent, nearest_patches

    f = np.random.default_rng(0).standard_normal((6, 7, 4)).astype("float32")
    where = np.arange(42)
    assert np.array_equal(nearest_patches(f, f, where), where)  # each patch is its own best match
    ident = where.reshape(6, 7)
    assert np.array_equal(consistent(ident, f, (6, 7), np.ones((6, 7), bool)), ident)  # neighbours agree already
    # the reference mapping (the identity on a 6x7 grid) carried to a grid twice as fine: the identity there too
    assert np.array_equal(carry(ident, (6, 7), (6, 7), (12, 14), (12, 14)), np.arange(168).reshape(12, 14))


def test_a_painting_patch_matched_many_times_counts_once_in_the_style_target():
    from keras_nst.harmonization.passes import matched, used_grams

    rng = np.random.default_rng(0)
    composite_f, painting_f = {"l": rng.random((4, 4, 3), "float32")}, {"l": rng.random((4, 4, 3), "float32")}
    region = np.ones((4, 4), bool)
    moved, used = matched(composite_f, painting_f, region, lambda n, where, hw: np.where(where < 8, 5, where))
    assert (moved["l"][0].reshape(16, 3)[:8] == painting_f["l"].reshape(16, 3)[5]).all()  # 8 positions chose 5
    once = painting_f["l"].reshape(16, 3)[[5, *range(8, 16)]]  # ... and it counts once
    assert np.allclose(np.asarray(used_grams(painting_f, used)["l"]), once.T @ once / (9 * 3), atol=1e-6)
    every = painting_f["l"].reshape(16, 3)[used["l"]]
    assert np.allclose(np.asarray(used_grams(painting_f, used, once=False)["l"]), every.T @ every / (16 * 3),
                       atol=1e-6)


def test_the_passes_window_holds_the_region_and_its_margin_on_block5s_grid():
    from keras_nst.harmonization.passes import _cells, window

    region = np.zeros((150, 230), bool)
    region[70:90, 100:130] = True
    y0, y1, x0, x1 = window(region, margin=20)
    assert (y0, x0) == (48, 80) and y0 % 16 == 0 and x0 % 16 == 0  # 70 - 20 and 100 - 20, down to the grid
    assert y1 >= 110 and x1 >= 150 and (y1 - y0) % 16 == 0 and (x1 - x0) % 16 == 0
    assert window(region, margin=200) == (0, 150, 0, 230)  # the whole picture, however it divides
    # a layer's cells of the window are the whole picture's cells there: block3's are 4 px
    cells = np.arange(37 * 57).reshape(1, 37, 57, 1)  # block3's grid of 150 x 230 px
    sub = _cells(cells, (y0, y1, x0, x1), "block3_conv1")
    assert sub.shape[1:3] == ((y1 - y0) // 4, (x1 - x0) // 4) and sub[0, 0, 0, 0] == cells[0, y0 // 4, x0 // 4, 0]
    assert _cells(cells, (0, 150, 0, 230), "block3_conv1").shape == cells.shape


def test_histogram_term_is_zero_on_its_own_reference_and_grows_away_from_it(vgg):
    from keras import ops

    from keras_nst.core.terms import histogram_term

    mask = np.zeros((8, 8), "float32")
    mask[2:6, 2:7] = 1
    term = histogram_term(mask, ["block1_conv1"], weight=1.0)
    f = np.random.default_rng(1).uniform(0, 4, (1, 8, 8, 3)).astype("float32")
    const = term.target(None, {"block1_conv1": ops.convert_to_tensor(f)})
    at = lambda a: float(ops.convert_to_numpy(term.loss(None, {"block1_conv1": ops.convert_to_tensor(a)}, const)))
    assert at(f) == pytest.approx(0.0, abs=1e-9)
    shuffled = f.copy()
    shuffled[0, 2:6, 2:7] = shuffled[0, 2:6, 2:7][::-1, ::-1]  # the same values elsewhere: the same histogram
    assert at(shuffled) == pytest.approx(0.0, abs=1e-9)
    assert at(2 * f) > 0.5


def test_histogram_term_pulls_each_value_to_the_reference_value_of_its_rank(vgg):
    # the gradient of an exact histogram match: 2 (v - r) / n, r the reference's value of v's rank
    import keras

    from keras_nst.core.backend import loss_and_grad
    from keras_nst.core.terms import histogram_term

    mask = np.zeros((6, 6), "float32")
    mask[1:5, 1:4] = 1
    rng = np.random.default_rng(2)
    ref, f = (rng.uniform(0, 4, (1, 6, 6, 2)).astype("float32") for _ in range(2))
    term = histogram_term(mask, ["block1_conv1"], weight=1.0)
    const = term.target(None, {"block1_conv1": keras.ops.convert_to_tensor(ref)})
    inp = keras.Input((6, 6, 2))
    model = keras.Model(inp, keras.layers.Activation("linear")(inp))
    _, grad = loss_and_grad(model, lambda x, out, c: term.loss(x, {"block1_conv1": out}, c))(f, const)
    inside = mask.astype(bool)
    v, r = f[0][inside], np.sort(ref[0][inside], axis=0)
    expected = np.zeros_like(f)
    expected[0][inside] = 2 * (v - np.take_along_axis(r, np.argsort(np.argsort(v, axis=0), axis=0), axis=0)) / v.size
    np.testing.assert_allclose(grad, expected, atol=1e-6)


def test_compose_pastes_and_refuses_what_does_not_fit():
    painting = np.full((60, 80, 3), 200, np.uint8)
    obj = np.zeros((10, 20, 4), np.uint8)
    obj[..., 0], obj[2:8, 4:16, 3] = 255, 255
    composite, mask = compose(painting, obj, at=(40, 30))
    assert composite.shape == painting.shape and mask.shape == (60, 80)
    assert mask[30, 40] == 1 and mask[0, 0] == 0 and tuple(composite[30, 40]) == (255, 0, 0)
    assert (composite[mask == 0] == 200).all()
    with pytest.raises(NSTError, match="reach outside"):
        compose(painting, obj, at=(2, 2))
    with pytest.raises(NSTError, match="larger than the painting"):
        compose(painting, obj, scale=5)
    with pytest.raises(NSTError, match="transparency"):
        compose(painting, obj[..., :3])
    with pytest.raises(NSTError, match="empty"):
        compose(painting, np.zeros((10, 20, 4), np.uint8))


def test_masks_that_leave_nothing_to_do_are_refused():
    with pytest.raises(NSTError, match="empty"):
        check_mask(np.zeros((10, 10)))
    with pytest.raises(NSTError, match="covers 100%"):
        check_mask(np.ones((10, 10)))
    with pytest.raises(NSTError, match="--style-level 11"):
        level_weights(11)
    assert level_weights(7).style > level_weights(5).style > level_weights(3).style
    m = np.zeros((20, 20))
    m[10, 10] = 1
    assert dilate(m, 3).sum() == 29 and dilate(m, 0).sum() == 1  # a disc of radius 3


def test_both_passes_paint_inside_and_keep_the_painting_outside(vgg, scene):
    from keras_nst import harmonize

    _, painting, composite, mask = scene
    seen = []
    r = harmonize(painting, composite, mask, iters=1, dilate_px=2,
                  callback=lambda i, x, loss, stage: seen.append(stage))
    assert seen == [1, 2] and r.image.shape == composite.shape and r.evaluations > 20
    outside = ~dilate(mask, 2)
    assert np.array_equal(r.image[outside], painting[outside])  # pixel for pixel
    inside = mask > 0.5
    assert np.abs(r.image[inside].astype(int) - composite[inside]).mean() > 1  # the object was repainted
    assert r.stages["pass 1"].shape == composite.shape and np.isfinite(r.losses).all()


def test_post_processing_takes_the_paintings_colours_and_keeps_the_outside():
    from scipy import ndimage
    from skimage.color import rgb2lab as _lab

    from keras_nst.harmonization.post import post_process

    rng = np.random.default_rng(0)
    painting = np.zeros((64, 80, 3), np.uint8)
    painting[:] = (30, 40, 140)  # a blue and white painting in strokes
    painting[:, ::4] = painting[::3] = (235, 235, 225)
    region = np.zeros((64, 80), bool)
    region[20:44, 24:56] = True
    result = painting.copy()
    result[region] = np.clip(rng.normal((200, 60, 50), 12, (region.sum(), 3)), 0, 255)  # a noisy red object
    composite = painting.copy()
    composite[region] = (200, 60, 50)
    strokes = ndimage.uniform_filter(painting.astype(float), (5, 5, 1)).astype(np.uint8)  # its strokes blended
    palette = np.unique(_lab(strokes).reshape(-1, 3).round(), axis=0)
    far = lambda im: np.linalg.norm(_lab(im)[region][:, None] - palette[None], axis=-1).min(1).mean()
    out = post_process(result, painting, composite, region, "paper")
    assert np.array_equal(out[~region], painting[~region])  # pixel for pixel outside
    assert far(out) < 0.3 * far(result)  # the object now in the painting's colours
    denoised = post_process(result, painting, composite, region, "denoise")
    ab = lambda im: _lab(im)[region][:, 1:].std(0).mean()
    assert ab(denoised) < 0.5 * ab(result)  # the colour noise smoothed along the composite's (flat) object
    lum = lambda im: _lab(im)[region][:, 0]
    assert np.abs(lum(denoised) - lum(result)).mean() < 0.3 * lum(result).std()  # strokes (luminance) kept
    assert np.array_equal(post_process(result, painting, composite, region, "none"), result)


def test_post_is_checked_and_none_returns_the_passes(vgg, scene):
    from keras_nst import harmonize

    _, painting, composite, mask = scene
    with pytest.raises(NSTError, match="--post bogus: use paper, denoise, none"):
        harmonize(painting, composite, mask, iters=1, post="bogus")
    r = harmonize(painting, composite, mask, iters=1, dilate_px=2, post="none")
    assert np.array_equal(r.image, r.stages["passes"])


def test_harmonize_cli_with_a_composite_and_with_an_object(vgg, scene, tmp_path, capsys):
    from keras_nst.cli import main

    paths, *_ = scene
    out, grid = tmp_path / "out.png", tmp_path / "grid.png"
    assert main(["harmonize", "--painting", str(paths["painting"]), "--composite", str(paths["composite"]),
                 "--mask", str(paths["mask"]), "--iters", "1", "--out", str(out), "--grid", str(grid)]) == 0
    assert Image.open(out).size == (72, 48) and grid.is_file()
    assert "two passes of 1 rounds" in capsys.readouterr().out
    out3 = tmp_path / "levels.png"
    assert main(["harmonize", "--painting", str(paths["painting"]), "--composite", str(paths["composite"]),
                 "--mask", str(paths["mask"]), "--iters", "1", "--multires", "48,72", "--post", "denoise",
                 "--out", str(out3)]) == 0
    assert Image.open(out3).size == (72, 48) and "at each of 2 sizes" in capsys.readouterr().out
    out2 = tmp_path / "pasted.png"
    assert main(["harmonize", "--painting", str(paths["painting"]), "--object", str(paths["object"]), "--at", "30,20",
                 "--iters", "1", "--out", str(out2)]) == 0
    assert Image.open(out2).size == (72, 48)


@pytest.mark.parametrize("change, message", [
    ({"--composite": "small"}, "the composite must be the painting with the object pasted in"),
    ({"--mask": "empty"}, "empty (no white pixels)"),
    ({"--mask": "full"}, "covers 100%"),
    ({"--mask": "tall"}, "make the mask the same shape"),
    ({"--object": "object", "--at": "1,1"}, "give --object (pasted here) or --composite and --mask"),
])
def test_bad_input_is_one_line_before_any_work(scene, tmp_path, capsys, change, message):
    from keras_nst.cli import main

    paths, *_ = scene
    Image.fromarray(skimage_rgb("coffee", (60, 40))).save(tmp_path / "small.png")
    Image.new("L", (72, 48)).save(tmp_path / "empty.png")
    Image.new("L", (72, 48), 255).save(tmp_path / "full.png")
    Image.new("L", (48, 72), 255).save(tmp_path / "tall.png")
    args = {"--painting": paths["painting"], "--composite": paths["composite"], "--mask": paths["mask"]}
    args.update({k: paths[v] if v in paths else (tmp_path / f"{v}.png" if v in ("small", "empty", "full", "tall")
                                                else v) for k, v in change.items()})
    argv = ["harmonize", *[str(a) for kv in args.items() for a in kv], "--out", str(tmp_path / "o.png")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o.png").exists()


def test_an_object_outside_the_painting_is_refused(scene, tmp_path, capsys):
    from keras_nst.cli import main

    paths, *_ = scene
    assert main(["harmonize", "--painting", str(paths["painting"]), "--object", str(paths["object"]), "--at",
                 "70,2", "--out", str(tmp_path / "o.png")]) == 2
    assert "reach outside" in capsys.readouterr().err


def test_the_papers_shield_example(vgg, data, tmp_path):
    from keras_nst import harmonize

    folder = data / "harmonization"
    r = harmonize(folder / "4_target.jpg", folder / "4_naive.jpg", folder / "4_c_mask.jpg", size=96, iters=1)
    assert r.image.shape == (96, 64, 3) and np.isfinite(r.losses).all()


def test_the_post_processing_brings_the_papers_shield_into_the_paintings_colours(vgg, data):
    from scipy.spatial import cKDTree
    from skimage.color import rgb2lab

    from keras_nst import harmonize
    from keras_nst.core.image_io import load_image, load_mask

    folder = data / "harmonization"
    painting = load_image(folder / "4_target.jpg", 128)
    r = harmonize(painting, folder / "4_naive.jpg", folder / "4_c_mask.jpg", size=128, iters=1)
    inside = load_mask(folder / "4_c_mask.jpg", painting.shape) > 0.5
    tree = cKDTree(rgb2lab(painting).reshape(-1, 3))
    palette = lambda im: tree.query(rgb2lab(im)[inside])[0].mean()
    assert palette(r.image) < 0.6 * palette(r.stages["passes"]), (palette(r.image), palette(r.stages["passes"]))


def test_all_ten_of_the_papers_examples_at_small_size(vgg, data):
    from keras_nst import harmonize
    from keras_nst.core.image_io import load_image

    folder = data / "harmonization"
    for n in range(10):
        painting = load_image(folder / f"{n}_target.jpg", 64)
        r = harmonize(folder / f"{n}_target.jpg", folder / f"{n}_naive.jpg", folder / f"{n}_c_mask.jpg", size=64,
                      iters=1)
        assert np.isfinite(r.losses).all() and r.image.shape == painting.shape, n
        assert np.array_equal(r.image[~r.region], painting[~r.region]), n  # outside: the painting, untouched


HARMONIZE_ON = """
import sys, numpy as np, keras
from keras_nst import harmonize
d = np.load(sys.argv[1])
r = harmonize(d["painting"], d["composite"], d["mask"], iters=1, dilate_px=2, weights=sys.argv[2])
np.savez(sys.argv[3], image=r.image, losses=np.array(r.losses), backend=keras.backend.backend())
"""


@pytest.mark.parametrize("other", ["jax", "torch"])
def test_harmonize_runs_on_the_other_backends(vgg, scene, tmp_path, other):
    import importlib.util
    import os
    import subprocess
    import sys

    if importlib.util.find_spec(other) is None:
        pytest.skip(f"{other} not installed")
    _, painting, composite, mask = scene
    weights = tmp_path / "vgg.weights.h5"
    vgg.save_weights(str(weights))
    np.savez(tmp_path / "in.npz", painting=painting, composite=composite, mask=mask)
    run = subprocess.run([sys.executable, "-c", HARMONIZE_ON, str(tmp_path / "in.npz"), str(weights),
                          str(tmp_path / "out.npz")], env=dict(os.environ, KERAS_BACKEND=other), capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    out = np.load(tmp_path / "out.npz")
    assert str(out["backend"]) == other and out["image"].shape == composite.shape
    assert np.isfinite(out["losses"]).all()
    outside = ~dilate(mask, 2)
    assert np.array_equal(out["image"][outside], painting[outside])
