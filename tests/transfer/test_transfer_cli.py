"""transfer, content, style, demo and controls end to end at 48-96 px, and their one-line errors."""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from keras_nst.cli import main

from helpers import ROOT, skimage_rgb


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_transfer_end_to_end(vgg, images, tmp_path, capsys):
    content, style = images  # 120 x 80 cat, 72 x 96 coffee
    out, grid = tmp_path / "out.png", tmp_path / "grid.png"
    code, stdout, err = run_cli(capsys, "transfer", "--content", content, "--style", style, "--out", out,
                                "--size", 72, "--iters", 2, "--save-every", 1, "--grid", grid,
                                "--style-layers", "block1_conv2", "block3_conv2", "--style-weights", 0.5, 1,
                                "--content-weight", 2, "--seed", 5)
    assert code == 0, err
    assert Image.open(out).size == (72, 48)  # the content's aspect ratio
    assert Image.open(grid).size[0] > 600
    assert (tmp_path / "out_iter001.png").is_file() and (tmp_path / "out_iter002.png").is_file()
    assert "final loss" in stdout and "wall" in stdout and f"wrote {out}:" in stdout
    assert "2/2" in err  # tqdm progress


@pytest.mark.parametrize("command, flag", [("content", "--content"), ("style", "--style")])
def test_reconstructions(vgg, images, tmp_path, capsys, command, flag):
    src = images[0] if command == "content" else images[1]
    out = tmp_path / f"{command}.jpg"
    code, stdout, err = run_cli(capsys, command, flag, src, "--out", out, "--size", 64, "--iters", 1)
    assert code == 0, err
    (w, h), (ow, oh) = Image.open(src).size, Image.open(out).size
    assert max(ow, oh) == 64 and (ow > oh) == (w > h)  # each keeps its own orientation


def test_demo_offline_as_a_module(vgg, tmp_path):
    out = tmp_path / "demo.png"
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    run = subprocess.run([sys.executable, "-m", "keras_nst", "demo", "--out", str(out), "--size", "64",
                          "--iters", "1"], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert Image.open(out).size == (64, 43)  # scikit-image's cat
    assert "final loss" in run.stdout


def test_real_tubingen_starry_night(vgg, data, tmp_path, capsys):
    out = tmp_path / "tubingen.png"
    code, stdout, err = run_cli(capsys, "transfer", "--content", data / "content" / "tubingen.jpg",
                                "--style", data / "style" / "starry_night.jpg", "--out", out,
                                "--size", 96, "--iters", 1)
    assert code == 0, err
    assert Image.open(out).size == (96, 72)


def test_grayscale_real_style(vgg, data, tmp_path, capsys):
    code, _, err = run_cli(capsys, "style", "--style", data / "style" / "escher_sphere.jpg",
                           "--out", tmp_path / "escher.png", "--size", 64, "--iters", 1)
    assert code == 0, err


def one_line_error(capsys, argv, *expected):
    code, stdout, err = run_cli(capsys, *argv)
    assert code == 2
    assert "Traceback" not in err and err.startswith("keras-nst: error: ") and err.count("\n") == 1
    for text in expected:
        assert str(text) in err
    return err


def test_bad_inputs_are_one_line_errors(images, tmp_path, capsys):
    content, style = images
    out = tmp_path / "out.png"
    out.write_bytes(b"precious earlier result")
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    base = ["transfer", "--out", out, "--overwrite", "--size", 64, "--iters", 1]
    one_line_error(capsys, base + ["--content", tmp_path / "none.jpg", "--style", style], "none.jpg", "no such file")
    one_line_error(capsys, base + ["--content", content, "--style", tmp_path / "bad.jpg"], "bad.jpg")
    one_line_error(capsys, ["transfer", "--content", content, "--style", style, "--out", content], "also an input")
    one_line_error(capsys, ["content", "--content", content, "--out", tmp_path / "x.unknown"], "unknown image type")
    one_line_error(capsys, base + ["--content", content, "--style", style, "--weights", tmp_path / "w.h5"],
                   "no such weights file")
    assert out.read_bytes() == b"precious earlier result"  # a failed run never touches the output


def test_bad_settings_are_one_line_errors(vgg, images, tmp_path, capsys):
    content, style = images
    base = ["transfer", "--content", content, "--style", style, "--out", tmp_path / "o.png", "--size", 48]
    one_line_error(capsys, base + ["--style-layers", "block1_conv2", "--style-weights", 1, 2], "1 style layers but 2")
    one_line_error(capsys, base + ["--content-layer", "block6_conv1"], "unknown VGG16 layer")
    one_line_error(capsys, base + ["--tv-weight", "nan"], "--tv-weight must be a finite number >= 0")
    one_line_error(capsys, base + ["--content-weight", "inf"], "--content-weight must be a finite number")
    one_line_error(capsys, base + ["--style-weights", "nan", 1, 1, 1, 1], "style layer weights must be finite")
    with pytest.raises(SystemExit):
        main([str(a) for a in base] + ["--size", "8"])  # argparse: must be at least 32
    assert not (tmp_path / "o.png").exists()


@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
def test_on_device_optimizers_from_the_cli(vgg, images, tmp_path, capsys, optimizer):
    out = tmp_path / "o.png"
    code, stdout, err = run_cli(capsys, "transfer", "--content", images[0], "--style", images[1], "--out", out,
                                "--size", 48, "--iters", 1, "--optimizer", optimizer)
    assert code == 0, err
    assert "\n20 evaluations" in stdout and Image.open(out).size == (48, 32)


def test_benchmark_script_runs_and_the_peer_computes_the_same_loss(vgg, tmp_path):
    import json

    script = ROOT / "benchmarks" / "nst_bench.py"
    run = subprocess.run([sys.executable, str(script), "--size", "64", "--evals", "3", "--batch", "2"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    rows = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert [r["optimizer"] for r in rows[:3]] == ["lbfgs-scipy", "lbfgs", "adam"]
    assert all(r["pure_ms"] > 0 and r["final_loss"] < r["start_loss"] for r in rows[:3])
    assert rows[3]["batch"] == 2 and rows[3]["images_per_s"] > 0
    peer = [r for r in rows if "peer" in r.get("optimizer", "") and "start_loss" in r]
    if importlib.util.find_spec("torch") is None:
        assert not peer
        pytest.skip("torch not installed: the PyTorch peer's row was not checked")
    assert peer and peer[0]["start_loss"] == pytest.approx(rows[0]["start_loss"], rel=1e-4)


def test_multires_coarse_to_fine(vgg, images, tmp_path, capsys):
    out = tmp_path / "o.png"
    code, stdout, err = run_cli(capsys, "transfer", "--content", images[0], "--style", images[1], "--out", out,
                                "--multires", "48,96", "--iters", 1, "--optimizer", "lbfgs")
    assert code == 0, err
    assert Image.open(out).size == (96, 64) and "\n40 evaluations" in stdout


def test_multires_rejects_bad_lists(images, tmp_path):
    for bad in ("abc", "8,64"):
        with pytest.raises(SystemExit):
            main(["transfer", "--content", str(images[0]), "--style", str(images[1]), "--out",
                  str(tmp_path / "o.png"), "--multires", bad])


def test_batch_of_contents_and_folders(vgg, images, tmp_path, capsys):
    content, style = images
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(skimage_rgb("astronaut", (64, 64))).save(folder / "astro.png")
    Image.fromarray(skimage_rgb("chelsea", (90, 60))).save(folder / "cat2.jpg")  # same shape as cat.png
    out = tmp_path / "styled"
    code, stdout, err = run_cli(capsys, "transfer", "--content", content, folder, "--style", style, "--out", out,
                                "--size", 48, "--iters", 1, "--save-every", 1, "--grid", tmp_path / "g.png",
                                "--optimizer", "lbfgs")
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["astro.png", "astro_iter001.png", "cat.png", "cat2.png",
                                                      "cat2_iter001.png", "cat_iter001.png"]
    assert Image.open(out / "astro.png").size == (48, 48) and Image.open(out / "cat.png").size == (48, 32)
    assert "mean over its batch of 2" in stdout and "\n40 evaluations" in stdout  # two batches of 20
    (tmp_path / "other").mkdir()
    Image.fromarray(skimage_rgb("coffee", (64, 64))).save(tmp_path / "other" / "cat.png")
    one_line_error(capsys, ["transfer", "--content", str(content), str(tmp_path / "other"), "--style", str(style),
                            "--out", str(out)], "outputs would collide")
    one_line_error(capsys, ["transfer", "--content", str(content), str(folder), "--style", str(style),
                            "--out", str(tmp_path / "g.png")], "is a file, and --out names a folder")


def test_default_outputs_never_replace_a_file(vgg, images, tmp_path, capsys, monkeypatch):
    content, style = images
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cat_coffee.png").write_bytes(b"an earlier result")
    argv = ["transfer", "--content", content, "--style", style, "--size", 48, "--iters", 1]
    code, stdout, err = run_cli(capsys, *argv)  # as a user types it: no --out
    assert code == 0, err
    assert (tmp_path / "cat_coffee.png").read_bytes() == b"an earlier result"
    assert Image.open(tmp_path / "cat_coffee-1.png").size == (48, 32) and "wrote cat_coffee-1.png" in stdout
    code, stdout, err = run_cli(capsys, "style", "--style", style, "--size", 48, "--iters", 1, "--out", "textures/")
    assert code == 0 and (tmp_path / "textures" / "coffee_texture.png").is_file()  # into a folder, named as by default
    Image.new("RGB", (20, 20)).save(tmp_path / "tiny.png")
    code, _, err = run_cli(capsys, *argv[:3], "--style", "tiny.png", "--out", "new/")
    assert code == 2 and "tiny.png" in err and not (tmp_path / "new").exists()  # the folder it made goes with it


def test_save_every_never_overwrites_an_input(vgg, images, tmp_path, capsys):
    """A content image named like a snapshot (x_iter001.png) is refused before any work."""
    content = tmp_path / "x_iter001.png"
    content.write_bytes(images[0].read_bytes())
    before = content.read_bytes()
    err = one_line_error(capsys, ["transfer", "--content", content, "--style", images[1], "--out", tmp_path / "x.png",
                                  "--size", 48, "--iters", 1, "--save-every", 1], "is also an input")
    assert "x_iter001.png" in err and content.read_bytes() == before and not (tmp_path / "x.png").exists()


def test_sizes_that_cannot_fit_in_memory_are_refused_before_work(images, tmp_path, capsys, monkeypatch):
    from keras_nst.core import memory

    monkeypatch.setattr(memory, "available", lambda: 2 * 10**9)
    base = ["transfer", "--content", images[0], "--style", images[1], "--out", tmp_path / "o.png"]
    err = one_line_error(capsys, base + ["--size", 100000], "need about", "use a smaller --size")
    assert "GB can be used" in err and not (tmp_path / "o.png").exists()


def test_artistic_flags_from_the_cli(vgg, images, tmp_path, capsys):
    content, style = images
    base = ["transfer", "--content", content, "--style", style, "--size", 48, "--iters", 1]
    code, _, err = run_cli(capsys, *base, "--out", tmp_path / "o.png", "--preserve-color", "luminance",
                           "--style-scale", 1.5, "--init", "style", "--init-blur", 1, "--style-stat", "diagonal",
                           "--noise-blur", 0)
    assert code == 0, err
    assert Image.open(tmp_path / "o.png").size == (48, 32)
    one_line_error(capsys, base + ["--out", tmp_path / "b.png", "--style-scale", 0], "--style-scale must be")
    one_line_error(capsys, base + ["--out", tmp_path / "b.png", "--init-blur", "nan"], "--init-blur must be")
    one_line_error(capsys, base + ["--out", tmp_path / "b.png", "--noise-blur", "inf"], "--noise-blur must be")
    one_line_error(capsys, base + ["--out", tmp_path / "b.png", "--style-stat", "diagonal", "--style-masks",
                                   tmp_path / "o.png"], "--style-masks match whole Gram matrices")
    assert not (tmp_path / "b.png").exists()


def test_two_styles_blended_from_the_cli(vgg, images, tmp_path, capsys):
    content, style = images
    second = tmp_path / "rocket.png"
    Image.fromarray(skimage_rgb("rocket", (64, 48))).save(second)
    base = ["transfer", "--content", content, "--style", style, second, "--size", 48, "--iters", 1]
    code, _, err = run_cli(capsys, *base, "--out", tmp_path / "o.png", "--style-blend", 0.7, 0.3)
    assert code == 0, err
    one_line_error(capsys, base + ["--out", tmp_path / "b.png", "--style-blend", 1], "2 style images but 1")


def test_masks_from_the_cli(vgg, images, tmp_path, capsys):
    content, style = images  # content 120 x 80
    second = tmp_path / "rocket.png"
    Image.fromarray(skimage_rgb("rocket", (64, 48))).save(second)
    half = np.zeros((40, 60), np.uint8)
    half[:, :30] = 255
    Image.fromarray(half).save(tmp_path / "left.png")
    Image.fromarray(255 - half).save(tmp_path / "right.png")
    Image.fromarray(np.zeros((60, 60), np.uint8)).save(tmp_path / "square.png")
    base = ["transfer", "--content", content, "--style", style, "--size", 48, "--iters", 1]
    code, _, err = run_cli(capsys, *base, "--out", tmp_path / "m.png", "--mask", tmp_path / "left.png")
    assert code == 0, err
    two = ["transfer", "--content", content, "--style", style, second, "--size", 48, "--iters", 1]
    code, _, err = run_cli(capsys, *two, "--out", tmp_path / "s.png", "--style-masks", tmp_path / "left.png",
                           tmp_path / "right.png")
    assert code == 0, err
    one_line_error(capsys, base + ["--out", tmp_path / "b.png", "--mask", tmp_path / "square.png"],
                   "square.png", "aspect ratio")
    one_line_error(capsys, two + ["--out", tmp_path / "b.png", "--style-masks", tmp_path / "left.png"],
                   "2 --style images but 1 --style-masks")
    one_line_error(capsys, base + ["--out", tmp_path / "b.png", "--mask", tmp_path / "none.png"], "none.png")
    one_line_error(capsys, base + ["--out", tmp_path / "left.png", "--mask", tmp_path / "left.png", "--overwrite"],
                   "also an input")
    assert not (tmp_path / "b.png").exists()


def test_controls_grid_one_row_per_flag(vgg, images, tmp_path, capsys):
    from keras_nst.cli import main

    content, style = images
    second = tmp_path / "rocket.png"
    Image.fromarray(skimage_rgb("rocket", (64, 48))).save(second)
    out = tmp_path / "controls.png"
    assert main(["controls", "--content", str(content), "--style", str(style), "--style2", str(second),
                 "--out", str(out), "--size", "48", "--iters", "1"]) == 0
    printed = capsys.readouterr().out
    assert out.is_file() and printed.count("final loss") == 11 and "--style-masks" in printed
    assert main(["controls", "--content", str(content), "--style", str(style), "--style2", str(second),
                 "--out", str(content)]) == 2
