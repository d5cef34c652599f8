"""Kills at random moments, on this machine only: each command is run once to time it, then in each
trial started again and killed outright (SIGKILL to its whole process group, so its children go too)
at a moment drawn uniformly (seeded) between 0 and that time; then what it left is checked and the
command is run again as docs/reliability.md says one goes on after a kill.

    python benchmarks/fault_bench.py --trials 8 --commands fast-stylize train transfer --seed 0

- ``fast-stylize``: six 96-128 px photos (scikit-image's) into a folder at ``--size 64``. After the
  kill every file under a final name in it must open whole (Pillow's ``load``); then the same command
  with ``--overwrite`` must end with exit 0 and all six outputs whole.
- ``train``: ``super_res train`` on a tiny prepared set (16 -> 64 px crops, chunks of 2), 4 epochs of
  one step, one res block, pixels only. After the kill the model, if there, must load and the
  checkpoint's state must parse; then ``--resume`` with the same ``--epochs`` must end with exit 0 and
  a model that loads (``resumed``), or in one line naming the way on (``named``: no epoch had
  finished), which is then taken (the same command without ``--resume``) and must end so too.
- ``transfer``: 48 px, 3 iterations. After the kill ``O.png`` must be absent or whole; then the
  command with ``--overwrite`` must end with exit 0 and ``O.png`` whole.

A trial survives when nothing partial is under a final name and the run after it succeeds. Also
counted: the hidden temporary files (``.NAME.XXXXXXXX.ext``, ``atomic.py``'s) left beside the outputs
(and in ``OUT.ckpt/``) after the kill, and whether the next run cleared them. One JSON line a trial,
then one a command. Bounded: --trials <= 200.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("fast-stylize", "train", "transfer")
PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "immunohistochemistry", "hubble_deep_field")
EPOCHS = 4
SR_SMALL = ["--batch-size", "2", "--steps-per-epoch", "1", "--n-res", "1", "--feature-weight", "0",
            "--pixel-weight", "1"]


def run(argv, timeout=600):
    """``python argv`` in the checkout, to its end: (exit status, stderr, seconds)."""
    started = time.time()
    proc = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stderr, time.time() - started


def run_and_kill(argv, at):
    """``python argv`` as the leader of a new process group (``start_new_session``), the whole group
    killed after ``at`` seconds: True if it was still running then (False: it had ended by itself)."""
    proc = subprocess.Popen([sys.executable, *argv], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        proc.wait(at)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return True


def whole(path):
    """True if ``path`` is an image Pillow decodes to its end."""
    try:
        with Image.open(path) as img:
            img.load()
        return True
    except Exception:
        return False


def hidden(folder):
    folder = Path(folder)
    return sorted(p.name for p in folder.glob(".*")) if folder.is_dir() else []


def photos(folder, side):
    """Scikit-image's bundled photos, the longer side ``side`` px (no download, no shared data)."""
    import skimage.data

    folder.mkdir()
    for i, name in enumerate(PHOTOS):
        img = Image.fromarray(getattr(skimage.data, name)())
        img.thumbnail((side - 8 * (i % 5), side - 8 * (i % 5)))
        img.save(folder / f"{name}.png")
    return folder


def last_line(stderr):
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


class FastStylize:
    name = "fast-stylize"

    def __init__(self, work):
        self.photos = photos(work / "fast_photos", 128)

    def argv(self, trial):
        return ["-m", "keras_nst", "fast-stylize", str(self.photos), "--out", f"{trial / 'out'}/", "--size", "64"]

    def after_kill(self, trial):
        out = trial / "out"
        finals = sorted(p for p in out.iterdir() if not p.name.startswith(".")) if out.is_dir() else []
        return {"outputs": len(finals), "partial": [p.name for p in finals if not whole(p)],
                "leftovers": hidden(out)}

    def go_on(self, trial):
        code, err, _ = run([*self.argv(trial), "--overwrite"])
        out = trial / "out"
        finals = [p for p in out.iterdir() if not p.name.startswith(".")] if out.is_dir() else []
        ok = code == 0 and len(finals) == len(PHOTOS) and all(map(whole, finals))
        return {"rerun_exit": code, "outcome": "done" if ok else "failed", "ok": ok,
                "leftovers_after": hidden(out), "message": "" if ok else last_line(err)}


class Train:
    name = "train"

    def __init__(self, work):
        self.data = work / "sr_data"
        src = photos(work / "sr_photos", 256)
        code, err, _ = run(["-m", "super_res", "prepare", "--src", str(src), "--out", str(self.data), "--sizes", "16",
                            "64", "--crops-per-image", "4", "--chunk-len", "2", "--workers", "1"])
        if code:
            raise SystemExit(f"prepare failed:\n{err}")

    def argv(self, trial):
        return ["-m", "super_res", "train", "--data", str(self.data), "--out", str(trial / "model.keras"),
                "--epochs", str(EPOCHS), *SR_SMALL]

    @staticmethod
    def loads(path):
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up notices, in this process
        from super_res.upscale import load_model

        try:
            load_model(str(path), precision="float32")
            return True
        except Exception:
            return False

    def after_kill(self, trial):
        model, ckpt = trial / "model.keras", trial / "model.keras.ckpt"
        partial = [] if not model.exists() or self.loads(model) else [model.name]
        for state in ckpt.glob("*.json") if ckpt.is_dir() else []:
            try:
                json.loads(state.read_text())
            except ValueError:
                partial.append(f"{ckpt.name}/{state.name}")
        return {"outputs": int(model.exists()), "partial": partial,
                "leftovers": hidden(trial) + [f"{ckpt.name}/{n}" for n in hidden(ckpt)]}

    def go_on(self, trial):
        code, err, _ = run([*self.argv(trial), "--resume"])
        message, outcome = last_line(err), "resumed"
        if code == 2 and "without --resume" in message and len(err.strip().splitlines()) == 1:
            outcome = "named"  # no epoch had finished: the way on is a fresh run there
            code, err, _ = run(self.argv(trial))
        model, ckpt = trial / "model.keras", trial / "model.keras.ckpt"
        ok = code == 0 and self.loads(model)
        return {"rerun_exit": code, "outcome": outcome if ok else "failed", "ok": ok,
                "leftovers_after": hidden(trial) + [f"{ckpt.name}/{n}" for n in hidden(ckpt)],
                "message": message if outcome == "named" or not ok else ""}


class Transfer:
    name = "transfer"

    def __init__(self, work):
        folder = photos(work / "nst_photos", 96)
        self.content, self.style = folder / "chelsea.png", folder / "coffee.png"

    def argv(self, trial):
        return ["-m", "keras_nst", "transfer", "--content", str(self.content), "--style", str(self.style),
                "--out", str(trial / "O.png"), "--size", "48", "--iters", "3"]

    def after_kill(self, trial):
        out = trial / "O.png"
        return {"outputs": int(out.exists()), "partial": [out.name] if out.exists() and not whole(out) else [],
                "leftovers": hidden(trial)}

    def go_on(self, trial):
        code, err, _ = run([*self.argv(trial), "--overwrite"])
        ok = code == 0 and whole(trial / "O.png")
        return {"rerun_exit": code, "outcome": "done" if ok else "failed", "ok": ok,
                "leftovers_after": hidden(trial), "message": "" if ok else last_line(err)}


def bench(command, work, trials, rng):
    folder = work / command.name
    folder.mkdir()
    clean = folder / "clean"
    clean.mkdir()
    code, err, normal = run(command.argv(clean))
    if code:
        raise SystemExit(f"{command.name}: the clean run failed (exit {code}):\n{err}")
    print(json.dumps({"command": command.name, "clean_run_s": round(normal, 1)}), flush=True)
    rows = []
    for i in range(trials):
        trial = folder / f"trial{i}"
        trial.mkdir()
        started = time.time()
        at = float(rng.uniform(0, normal))
        killed = run_and_kill(command.argv(trial), at)
        row = {"command": command.name, "trial": i, "kill_at_s": round(at, 2), "killed": killed,
               **command.after_kill(trial)}
        row.update(command.go_on(trial))
        row["cleared"] = not row["leftovers_after"]
        row["survived"] = not row["partial"] and row["ok"]
        row["seconds"] = round(time.time() - started, 1)
        rows.append(row)
        print(json.dumps(row), flush=True)
    with_leftovers = [r for r in rows if r["leftovers"]]
    outcomes = {}
    for r in rows:
        outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1
    summary = {"command": command.name, "trials": len(rows), "killed": sum(r["killed"] for r in rows),
               "survived": sum(r["survived"] for r in rows), "outcomes": outcomes,
               "left_temporaries": len(with_leftovers),
               "cleared_by_next_run": sum(r["cleared"] for r in with_leftovers),
               "clean_run_s": round(normal, 1), "s_a_trial": round(np.mean([r["seconds"] for r in rows]), 1)}
    print(json.dumps(summary), flush=True)
    return summary


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trials", type=int, default=8, help="kills per command (default 8, at most 200)")
    p.add_argument("--commands", nargs="+", choices=COMMANDS, default=list(COMMANDS))
    p.add_argument("--seed", type=int, default=0, help="the kill moments' seed (default 0)")
    args = p.parse_args()
    if not 1 <= args.trials <= 200:
        p.error("--trials 1-200")
    rng = np.random.default_rng(args.seed)
    kinds = {"fast-stylize": FastStylize, "train": Train, "transfer": Transfer}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        summaries = [bench(kinds[name](work), work, args.trials, rng) for name in args.commands]
    failed = sum(s["trials"] - s["survived"] for s in summaries)
    print(f"{sum(s['trials'] for s in summaries)} trials, {failed} not survived")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
