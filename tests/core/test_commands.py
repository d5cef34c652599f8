"""Every command: its ``--help``, the console script, and a typo said in one line before Keras loads."""

import shutil
import subprocess
import sys

import pytest

from keras_nst.cli import GROUPS as NST_GROUPS
from super_res.cli import GROUPS as SR_GROUPS


def test_console_script():
    exe = shutil.which("keras-nst")
    if exe is None:
        pytest.skip("package not installed with pip (no console script)")
    run = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "transfer" in run.stdout


@pytest.mark.parametrize("package, argv, message", [
    ("keras_nst", ["transfer", "--content", "{content}", "--style", "{style}", "--out", "{t}/o.png",
                   "--content-layer", "block9_conv9"], "unknown VGG16 layer"),
    ("keras_nst", ["fast-stylize", "--model", "{t}/none.keras", "{content}"], "no such model file"),
    ("keras_nst", ["fast-stylize", "--tile", "3", "{content}"], "--tile 3 is too small"),
    ("keras_nst", ["fast-train", "--style", "{style}", "--data", "{t}/none", "--out", "{t}/f.keras"],
     "not a complete prepared data folder"),
    ("keras_nst", ["fast-train", "--style", "{style}", "--data", "{t}", "--out", "{t}/none/f.keras"],
     "does not exist"),
    ("super_res", ["upscale", "--model", "{t}/none.keras", "{content}"], "no such model file"),
    ("super_res", ["upscale", "{t}/none.png"], "no such file"),
    ("super_res", ["train", "--data", "{t}/none", "--out", "{t}/s.keras"], "not a complete prepared data folder"),
    ("super_res", ["train", "--data", "{t}", "--out", "{t}/s.h5"], "name it *.keras"),
    ("super_res", ["evaluate", "--images", "{t}/none"], "no such folder"),
    ("super_res", ["evaluate", "--model", "{t}/none.keras", "--images", "{t}"], "no such model file"),
])
def test_bad_input_is_reported_before_the_backend_loads(images, tmp_path, package, argv, message):
    """Checked in a fresh interpreter: a typo is one line at once, with no Keras import (~10 s)."""
    script = (f"import sys; from {package}.cli import main; code = main(sys.argv[1:]); "
              "assert 'keras' not in sys.modules, 'keras was imported'; raise SystemExit(code)")
    fill = dict(content=images[0], style=images[1], t=tmp_path)
    run = subprocess.run([sys.executable, "-c", script, *(a.format(**fill) for a in argv)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and message in run.stderr and "keras was imported" not in run.stderr, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr


def _commands():
    return [("keras_nst", name) for g in NST_GROUPS for name in g.COMMANDS] + \
        [("super_res", name) for g in SR_GROUPS for name in g.COMMANDS]


@pytest.mark.parametrize("package, command", _commands())
def test_help_of_every_command(package, command, capsys):
    main = __import__(f"{package}.cli", fromlist=["main"]).main
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr()
    assert "usage:" in out.out and "Traceback" not in out.err, out.err


@pytest.mark.parametrize("package", ["keras_nst", "super_res"])
def test_help_of_the_command_lines(package, capsys):
    main = __import__(f"{package}.cli", fromlist=["main"]).main
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0 and "usage:" in capsys.readouterr().out
