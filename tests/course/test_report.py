"""``python -m keras_nst report``: every section at a tiny size on a tiny data folder; the page refers
only to files it wrote; the folder appears whole, and an earlier one is only replaced when asked."""

import re

import pytest
from PIL import Image

from keras_nst.cli import main

from helpers import skimage_rgb


@pytest.fixture
def tiny_data(tmp_path):
    data = tmp_path / "data"
    for folder, name, image, size in [("content", "cat.png", "chelsea", (60, 40)),
                                      ("style", "coffee.jpg", "coffee", (48, 40)),
                                      ("sr/eval/Set5", "rocket.png", "rocket", (72, 48))]:
        (data / folder).mkdir(parents=True)
        Image.fromarray(skimage_rgb(image, size)).save(data / folder / name)
    return data


def run(capsys, *argv):
    code = main(["report", *map(str, argv)])
    return code, *capsys.readouterr()


@pytest.mark.slow
def test_report_renders_every_section_and_refers_only_to_its_own_files(vgg, tiny_data, tmp_path, capsys):
    out = tmp_path / "report"
    code, stdout, err = run(capsys, "--data", tiny_data, "--out", out, "--size", 48, "--iters", 1)
    assert code == 0, err
    page = (out / "index.html").read_text()
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    refs = set(re.findall(r'(?:src|href)="([^"]+)"', page))
    assert refs and refs | {"index.html"} == written  # every reference a file it wrote, and every file shown
    for title in ("content × style", "Content reconstructions by layer", "Style reconstructions by layer set",
                  "Figure 3", "Super-resolution", "Fast style transfer"):
        assert title in page
    from keras_nst.fast_style import shipped

    # cells incl. headers and empty corners; fast style: the photo and each shipped style
    assert page.count("<figure>") == 4 + 7 + 7 + 4 * 6 + 5 + 1 + len(shipped())
    assert "PSNR-Y" in page and "loss " in page and " s<" in page  # scores, losses and times per cell
    assert "--size 48 --iters 1" in page  # the command that made it
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary folder left
    assert "wrote" in stdout and "cell" in err  # a progress bar in cells

    # an existing report is kept unless --overwrite; then replaced whole
    code, _, err = run(capsys, "--data", tiny_data, "--out", out, "--sections", "fast-style")
    assert code == 2 and "exists; --overwrite to replace" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "--data", tiny_data, "--out", out, "--sections", "fast-style", "--size", 48,
                       "--overwrite")
    assert code == 0, err
    assert len(list((out / "img").iterdir())) == 1 + len(shipped())  # the photo and each style
    assert "Content reconstructions" not in (out / "index.html").read_text()


@pytest.mark.parametrize("setup, argv, message", [
    (lambda d, t: None, ["--data", "{t}/none"], "no such folder"),
    (lambda d, t: (t / "mine").mkdir(), ["--out", "{t}/mine", "--overwrite"], "is not a report folder"),
    (lambda d, t: (t / "f").write_text("x"), ["--out", "{t}/f"], "is a file"),
    (lambda d, t: None, ["--out", "{t}/no/where"], "does not exist"),
    (lambda d, t: [p.unlink() for p in (d / "sr/eval/Set5").iterdir()], ["--sections", "super-res"],
     "no test sets"),
    (lambda d, t: [p.unlink() for p in (d / "style").iterdir()], [], "no style images"),
    (lambda d, t: None, ["--course-model", "{t}/none.keras"], "no such model file"),
])
def test_report_bad_inputs_are_one_line_errors_before_any_work(tiny_data, tmp_path, capsys, setup, argv, message):
    setup(tiny_data, tmp_path)
    argv = [a.format(t=tmp_path) for a in argv]
    argv = (["--out", str(tmp_path / "r")] if "--out" not in argv else []) + argv
    argv = (["--data", str(tiny_data)] if "--data" not in argv else []) + argv
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "r").exists()
