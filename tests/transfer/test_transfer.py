"""The three lesson-8 experiments on the real VGG16 at tiny sizes."""

import keras
import numpy as np
import pytest
from PIL import Image

from keras_nst import content_reconstruction, style_reconstruction, style_transfer
from keras_nst.core.errors import NSTError
from keras_nst.core.image_io import resize
from keras_nst.core.vgg import deproc

from helpers import skimage_rgb

CAT, COFFEE = skimage_rgb("chelsea"), skimage_rgb("coffee")


def test_two_iterations_lower_the_loss(vgg):
    r = style_transfer(CAT, COFFEE, size=64, iters=2, seed=1)
    assert len(r.losses) == 2 and np.all(np.isfinite(r.losses))
    assert r.losses[1] < r.losses[0] < r.start_loss
    assert r.evaluations >= 20 and r.seconds > 0
    assert r.loss_scale >= 1 and r.weights_source


def test_output_keeps_content_aspect_style_keeps_its_own(vgg):
    square = CAT[:, :300]
    tall = np.ascontiguousarray(np.rot90(CAT))  # 451 x 300
    r = style_transfer(tall, COFFEE[:100], size=96, iters=1)
    assert r.image.shape == (96, 64, 3) and r.image.dtype == np.uint8
    r = style_transfer(square, tall, size=64, iters=1)
    assert r.image.shape == (64, 64, 3)


def test_content_init_starts_at_the_content(vgg):
    r = style_transfer(CAT, COFFEE, size=64, iters=1, init="content", content_weight=1.0)
    assert r.start_loss > 0 and r.losses[0] < r.start_loss


def test_seed_makes_runs_repeatable(vgg):
    a = style_transfer(CAT, COFFEE, size=48, iters=1, seed=3)
    b = style_transfer(CAT, COFFEE, size=48, iters=1, seed=3)
    assert a.losses == pytest.approx(b.losses, rel=1e-5)


def test_content_reconstruction_recovers_the_layout(vgg):
    r = content_reconstruction(CAT, size=64, iters=2, layer="block3_conv2")
    assert r.losses[-1] < 0.5 * r.start_loss
    assert r.image.shape == (43, 64, 3)
    want = resize(CAT, 64).mean(-1).ravel()
    assert np.corrcoef(r.image.mean(-1).ravel(), want)[0, 1] > 0.5  # the cat's layout came back


def test_style_reconstruction_takes_the_style_shape(vgg):
    r = style_reconstruction(COFFEE, size=64, iters=1, style_layers=["block1_conv2", "block2_conv2"])
    assert r.image.shape == (43, 64, 3) and r.losses[0] < r.start_loss


@pytest.mark.parametrize("kwargs, message", [
    (dict(style_layers=["block1_conv2"], style_weights=[1, 2]), "1 style layers but 2 style weights"),
    (dict(style_layers=["block9_conv9"]), "unknown VGG16 layer"),
    (dict(content_layer="fc1"), "unknown VGG16 layer"),
    (dict(init="zeros"), "unknown --init"),
])
def test_bad_settings_are_clear_errors(vgg, kwargs, message):
    with pytest.raises(NSTError, match=message):
        style_transfer(CAT, COFFEE, size=48, iters=1, **kwargs)


def test_multires_starts_each_level_from_the_last(vgg):
    r = style_transfer(CAT, COFFEE, multires=[96, 48], iters=1, seed=1)
    assert r.image.shape == (64, 96, 3) and len(r.losses) == 2
    fresh = style_transfer(CAT, COFFEE, size=96, iters=1, seed=1)
    assert r.losses[-1] < fresh.losses[-1]  # the coarse level's result is a better start than noise


def test_batch_shares_the_style_and_groups_by_shape(vgg):
    from keras_nst.transfer.experiments import style_transfer_batch

    cat2 = CAT[:, ::-1].copy()  # same shape as CAT: one batch
    tall = np.ascontiguousarray(np.rot90(CAT))  # another shape: its own batch
    seen = []
    results = style_transfer_batch([CAT, tall, cat2], COFFEE, size=64, iters=2, seed=1,
                                   callback=lambda i, x, loss, batch: seen.append(
                                       (batch[:2], tuple(batch[2]), x.shape[0])))
    assert [r.image.shape for r in results] == [(43, 64, 3), (64, 43, 3), (43, 64, 3)]
    assert results[0].losses == results[2].losses != results[1].losses  # batch mates share the run
    assert results[0].losses[-1] < results[0].start_loss
    assert not np.array_equal(results[0].image, results[2].image)
    assert sorted(set(seen)) == [((0, 2), (0, 2), 2), ((1, 2), (1,), 1)]  # images 0 and 2 together, 1 alone
    alone = style_transfer(CAT, COFFEE, size=64, iters=2, seed=1)
    assert alone.image.shape == results[0].image.shape


def test_mixed_precision_keeps_the_loss(vgg):
    full = style_transfer(CAT, COFFEE, size=64, iters=2, seed=4, precision="float32")
    mixed = style_transfer(CAT, COFFEE, size=64, iters=2, seed=4, precision="mixed")
    assert mixed.start_loss == pytest.approx(full.start_loss, rel=1e-2)  # bfloat16 activations, float32 sums
    assert mixed.losses[-1] == pytest.approx(full.losses[-1], rel=0.15)
    assert mixed.losses[-1] < 0.5 * mixed.start_loss
    with pytest.raises(NSTError, match="unknown --precision"):
        style_transfer(CAT, COFFEE, size=48, iters=1, precision="float8")


def test_tv_weight_lowers_the_total_variation(vgg):
    from keras_nst.core.terms import total_variation

    tv = lambda r: float(keras.ops.convert_to_numpy(total_variation(r.image[None].astype("float32"))))
    plain = style_transfer(CAT, COFFEE, size=48, iters=2, seed=1)
    smooth = style_transfer(CAT, COFFEE, size=48, iters=2, seed=1, tv_weight=1.0)
    assert tv(smooth) < 0.8 * tv(plain)


def test_a_non_finite_loss_stops_with_a_message(vgg, monkeypatch):
    import keras_nst.core.optimise.loop as loop

    real = loop.solve_image
    monkeypatch.setattr(loop, "solve_image", lambda *a, **k: (lambda x, losses: (x, losses[:-1] + [float("nan")]))(
        *real(*a, **k)))
    with pytest.raises(NSTError, match="the loss became nan during the optimisation: no image was written"):
        style_transfer(CAT, COFFEE, size=48, iters=1)


def test_preserve_color_luminance_keeps_the_contents_chroma(vgg):
    from skimage.color import rgb2ycbcr

    r = style_transfer(CAT, COFFEE, size=48, iters=1, preserve_color="luminance")
    chroma = lambda im: rgb2ycbcr(im)[..., 1:]
    diff = np.abs(chroma(r.image) - chroma(resize(CAT, 48)))
    # equal up to uint8 rounding, except where the new luminance with the photo's chroma leaves the
    # RGB gamut and is clipped (a few very dark or bright pixels)
    assert diff.mean() < 1.0 and np.percentile(diff, 95) < 2
    plain = style_transfer(CAT, COFFEE, size=48, iters=1)
    assert np.abs(chroma(plain.image) - chroma(resize(CAT, 48))).mean() > 3 * diff.mean()


def test_preserve_color_histogram_gives_the_style_the_contents_colours():
    from keras_nst.core.colors import match_colors

    matched = match_colors(resize(COFFEE, 64), resize(CAT, 64)[None])
    for c in range(3):  # each channel's quantiles are the content's
        np.testing.assert_allclose(np.percentile(matched[..., c], [10, 50, 90]),
                                   np.percentile(resize(CAT, 64)[..., c], [10, 50, 90]), atol=3)


def test_init_style_and_init_blur_set_the_start_image(vgg):
    from scipy.ndimage import gaussian_filter

    start = style_transfer(CAT, COFFEE, size=48, iters=0, init="style")  # no iteration: the start image
    assert start.image.shape == resize(CAT, 48).shape
    want = np.asarray(Image.fromarray(resize(COFFEE, 48)).resize(start.image.shape[1::-1], Image.LANCZOS))
    assert np.abs(start.image.astype(int) - want).max() <= 1
    blurred = style_transfer(CAT, COFFEE, size=48, iters=0, init="content", init_blur=2.0)
    want = gaussian_filter(resize(CAT, 48).astype("float32"), [2, 2, 0])
    assert np.abs(blurred.image.astype(float) - want).max() <= 1.5
    with pytest.raises(NSTError, match="--init-blur must be a finite number >= 0"):
        style_transfer(CAT, COFFEE, size=48, iters=0, init_blur=float("nan"))


def test_noise_blur_makes_lesson_8s_plain_or_lesson_9s_blurred_noise_start(vgg):
    from keras_nst.core.optimise.evaluator import blurred_noise
    from keras_nst.core.terms import total_variation

    tv = lambda im: float(keras.ops.convert_to_numpy(total_variation(im[None].astype("float32"))))
    plain = content_reconstruction(CAT, size=48, iters=0, noise_blur=0).image  # no iteration: the start image
    blurred = style_reconstruction(COFFEE, size=48, iters=0).image  # lesson 9's 2 px by default
    assert tv(plain) > 4 * tv(blurred)
    x = blurred_noise((1, *plain.shape), seed=0, sigma=0)  # plain: the same uniform noise, unfiltered
    assert np.abs(plain.astype(float) - np.clip(deproc(x)[0], 0, 255).round()).max() <= 1
    with pytest.raises(NSTError, match="--noise-blur must be a finite number >= 0"):
        style_transfer(CAT, COFFEE, size=48, iters=0, noise_blur=-1)


def test_diagonal_style_stat_matches_only_the_grams_diagonal(vgg):
    full = style_reconstruction(COFFEE, size=48, iters=1)
    diag = style_reconstruction(COFFEE, size=48, iters=1, style_stat="diagonal")
    assert diag.losses[-1] < diag.start_loss and not np.array_equal(full.image, diag.image)
    with pytest.raises(NSTError, match="unknown --style-stat 'mean'"):
        style_transfer(CAT, COFFEE, size=48, iters=1, style_stat="mean")
    with pytest.raises(NSTError, match="--style-masks match whole Gram matrices"):
        style_transfer(CAT, [COFFEE, CAT], size=48, iters=1, style_stat="diagonal",
                       style_masks=[np.ones((32, 48)), np.zeros((32, 48))])


def test_style_scale_resizes_the_style_relative_to_the_output(vgg, monkeypatch):
    import keras_nst.transfer.experiments as ex

    seen = []
    real = ex.build_objective
    monkeypatch.setattr(ex, "build_objective", lambda **kw: seen.append(kw["style"].shape) or real(**kw))
    style_transfer(CAT, COFFEE, size=48, iters=1, style_scale=2.0)
    assert max(seen[-1][:2]) == 96  # the style's longer side: 2 x the output's
    with pytest.raises(NSTError, match="--style-scale must be a finite number > 0"):
        style_transfer(CAT, COFFEE, size=48, iters=1, style_scale=0.0)


def test_style_blend_one_zero_is_the_first_styles_result(vgg):
    other = skimage_rgb("astronaut", (64, 64))
    alone = style_transfer(CAT, COFFEE, size=48, iters=1, seed=2)
    blended = style_transfer(CAT, [COFFEE, other], size=48, iters=1, seed=2, style_blend=[1, 0])
    np.testing.assert_array_equal(blended.image, alone.image)
    half = style_transfer(CAT, [COFFEE, other], size=48, iters=1, seed=2, style_blend=[0.5, 0.5])
    assert np.abs(half.image.astype(int) - alone.image).mean() > 1  # the second style counts
    for blend, message in (([1], "2 style images but 1 --style-blend"), ([1, float("nan")], "finite"),
                           ([0, 0], "not all 0"), ([-1, 2], ">= 0")):
        with pytest.raises(NSTError, match=message):
            style_transfer(CAT, [COFFEE, other], size=48, iters=1, style_blend=blend)


def test_mask_black_is_the_content_white_the_result_grey_blends(vgg):
    mask = np.zeros((32, 48))
    mask[:, :16], mask[:, 16:32] = 1.0, 0.5
    plain = style_transfer(CAT, COFFEE, size=48, iters=1, seed=4)
    masked = style_transfer(CAT, COFFEE, size=48, iters=1, seed=4, mask=mask)
    content = resize(CAT, 48).astype(int)
    np.testing.assert_array_equal(masked.image[:, 32:], content[:, 32:])
    np.testing.assert_array_equal(masked.image[:, :16], plain.image[:, :16])
    grey = (plain.image[:, 16:32].astype(int) + content[:, 16:32]) / 2
    assert np.abs(masked.image[:, 16:32] - grey).max() <= 1
    with pytest.raises(NSTError, match="mask the same shape"):
        style_transfer(CAT, COFFEE, size=48, iters=1, mask=np.ones((40, 40)))


@pytest.mark.parametrize("optimizer", ["lbfgs-scipy", "lbfgs"])
def test_style_masks_put_each_style_in_its_region(vgg, optimizer):
    red = np.zeros((64, 64, 3), np.uint8)
    red[..., 0], red[::4, :, 1] = 200, 120
    blue = np.zeros((64, 64, 3), np.uint8)
    blue[..., 2], blue[:, ::3, 0] = 200, 90
    left = np.zeros((32, 48))
    left[:, :24] = 1
    r = style_transfer(CAT, [red, blue], size=48, iters=2, style_masks=[left, 1 - left], optimizer=optimizer)
    lm, rm = r.image[:, :24].mean((0, 1)), r.image[:, 24:].mean((0, 1))
    assert lm[0] > lm[2] + 50 and rm[2] > rm[0] + 50  # red left, blue right
    with pytest.raises(NSTError, match="2 --style images but 1 --style-masks"):
        style_transfer(CAT, [red, blue], size=48, iters=1, style_masks=[left])


def test_larger_style_scale_moves_the_grams_toward_the_larger_style(vgg):
    from keras_nst.core.defaults import STYLE_LAYERS, STYLE_WEIGHTS
    from keras_nst.core.terms import gram_matrix
    from keras_nst.core.vgg import feature_model, preproc

    features = feature_model(vgg, STYLE_LAYERS)
    grams = lambda image: [keras.ops.convert_to_numpy(gram_matrix(f)) for f in features(preproc(image[None]))]
    distance = lambda a, b: sum(w * np.mean((x - y) ** 2) for w, x, y in zip(STYLE_WEIGHTS, a, b))
    large_style = grams(resize(COFFEE, 128))
    small = style_transfer(CAT, COFFEE, size=64, iters=2, seed=0, style_scale=0.5)
    large = style_transfer(CAT, COFFEE, size=64, iters=2, seed=0, style_scale=2.0)
    assert distance(grams(large.image), large_style) < distance(grams(small.image), large_style)
