"""The command line's own kit: the flags several commands share come from one definition, each check
is one Keras-free function that the command line, the web tab and the Python API all call, and
the two meanings of --temporal have two names (the old spelling kept as an alias)."""

import numpy as np
import pytest

from keras_nst.core.errors import NSTError

from helpers import make_clip, skimage_rgb

TRAINING_FLAGS = ("--out", "--epochs", "--steps-per-epoch", "--batch-size", "--lr", "--lr-final", "--time-limit",
                  "--resume", "--seed", "--weights", "--precision", "--warmup")


def _options(parser, command):
    sub = next(a for a in parser._actions if a.dest == "command")
    return {s for a in sub.choices[command]._actions for s in a.option_strings}


def test_every_training_command_has_the_kits_flags():
    from keras_nst.cli import parser
    from super_res.cli import parser as sr_parser

    for p, command, data in ((parser(), "fast-train", True), (parser(), "arbitrary-train", False),
                             (sr_parser(), "train", True)):
        options = _options(p, command)
        assert set(TRAINING_FLAGS) <= options, (command, set(TRAINING_FLAGS) - options)
        assert ({"--data", "--val-fraction"} <= options) == data, command


def test_the_kit_is_where_the_runtime_lives():
    from keras_nst.cli import kit
    from keras_nst.core import errors, plots

    for name in ("cli_main", "report_errors", "group_parser", "add_overwrite_flag", "add_training_flags"):
        assert hasattr(kit, name) and not hasattr(errors, name), name
    assert callable(plots.save_grid)


def test_temporal_has_two_names_and_the_old_spelling_still_works():
    from keras_nst.cli import parser

    p = parser()
    for old, new, dest in (("fast-stylize", "--temporal-blend", "temporal_blend"),
                           ("transfer", "--temporal-weight", "temporal_weight")):
        assert {new, "--temporal", "--frames"} <= _options(p, old)
        head = ["fast-stylize", "clip.mp4"] if old == "fast-stylize" else ["transfer", "--content", "c.mp4",
                                                                            "--style", "s.png"]
        assert getattr(p.parse_args([*head, "--temporal", "0.3"]), dest) == 0.3
        assert getattr(p.parse_args([*head, new, "0.4"]), dest) == 0.4


@pytest.mark.parametrize("argv, said", [
    (["fast-stylize", "clip.mp4", "--temporal-blend", "1.5"], "--temporal-blend 1.5: from 0"),
    (["fast-stylize", "clip.mp4", "--temporal", "nan"], "--temporal-blend nan: from 0"),
    (["fast-stylize", "clip.mp4", "--frames", "0"], "--frames must be a whole number > 0"),
    (["transfer", "--content", "clip.mp4", "--style", "s.png", "--temporal", "-1"],
     "--temporal-weight must be a finite number >= 0"),
    (["fast-stylize", "p.png", "--temporal", "0.3"], "--temporal-blend: for videos only"),
    (["transfer", "--content", "p.png", "--style", "s.png", "--temporal-weight", "2", "--frames", "3"],
     "--temporal-weight, --frames: for a video --content only"),
])
def test_a_clips_flags_are_checked_before_any_work(argv, said, tmp_path, capsys, monkeypatch):
    from PIL import Image

    from keras_nst.cli import main

    monkeypatch.chdir(tmp_path)
    make_clip(tmp_path / "clip.mp4", frames=2, audio=None)
    for name in ("p.png", "s.png"):
        Image.fromarray(skimage_rgb("coffee", (40, 30))).save(tmp_path / name)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "p.png", "s.png"]


def test_the_python_api_runs_the_same_checks(tmp_path):
    from keras_nst.fast_style.options import check_video as fast_video
    from keras_nst.transfer.options import check_controls, check_video

    assert fast_video(temporal_blend=np.float32(0.5)) == 0.5
    for bad in (1.0, -0.1, float("nan"), "0.5", None):
        with pytest.raises(NSTError, match="--temporal-blend"):
            fast_video(temporal_blend=bad)
    assert check_video(temporal_weight=2, frames=3) == 2.0
    with pytest.raises(NSTError, match="--frames"):
        check_video(temporal_weight=1, frames=0)
    for kwargs, said in (({"style_scale": 0}, "--style-scale"), ({"style_scale": float("inf")}, "--style-scale"),
                         ({"preserve_color": "sepia"}, "--preserve-color"), ({"tv_weight": -1}, "--tv-weight"),
                         ({"styles": 2, "style_blend": [1]}, "--style-blend"),
                         ({"styles": 2, "style_masks": ["m"]}, "2 --style images but 1 --style-masks"),
                         ({"style_masks": ["m"], "style_stat": "diagonal"}, "--style-stat")):
        with pytest.raises(NSTError, match=said):
            check_controls(**kwargs)
    from keras_nst.fast_style.video import stylize_video
    from keras_nst.transfer.experiments import style_transfer
    from keras_nst.transfer.video import style_transfer_video

    clip = make_clip(tmp_path / "clip.mp4", frames=2, audio=None)
    with pytest.raises(NSTError, match="--temporal-blend"):  # the old keyword still reaches the check
        stylize_video(None, clip, tmp_path / "o.mp4", temporal=1.5)
    with pytest.raises(NSTError, match="--temporal-weight"):
        style_transfer_video(clip, np.zeros((8, 8, 3), np.uint8), tmp_path / "o.mp4", temporal_weight=-1)
    with pytest.raises(NSTError, match="--style-scale"):
        style_transfer(np.zeros((32, 32, 3), np.uint8), np.zeros((32, 32, 3), np.uint8), style_scale=0)
    assert not list(tmp_path.glob("o*"))


def test_harmonizations_checks_are_one_function_each():
    from keras_nst.harmonization.inputs import check_composite, check_dilate

    painting = np.zeros((40, 30, 3), np.uint8)
    assert check_composite(painting, painting.copy()) is not None
    with pytest.raises(NSTError, match=r"c\.png: 20x40 px, the painting 30x40: the composite must be the painting"):
        check_composite(painting, np.zeros((40, 20, 3), np.uint8), "c.png")
    assert check_dilate(None) is None and check_dilate(0) == 0
    for bad in (-1, float("nan")):
        with pytest.raises(NSTError, match="--dilate"):
            check_dilate(bad)
