"""Shipped models found by name: lesson 9's trained networks travel inside the package, so
``--model starry_night`` or ``--model perceptual`` works from any folder. Keras-free: a wrong name
is reported before the backend loads."""

import importlib
import importlib.abc
import importlib.util
import sys
from pathlib import Path

from .errors import NSTError


class Registry:
    """The ``.keras`` files of one task's ``folder``; ``names`` are the ones the package ships (the
    first is the task's default), ``what`` says in errors what they are ("style", "x4 model")."""

    def __init__(self, folder, names, what):
        self.folder, self.names, self.what = Path(folder), tuple(names), what

    def shipped(self):
        """The shipped names present in this installation."""
        return [n for n in self.names if (self.folder / f"{n}.keras").is_file()]

    def path(self, name_or_path, option="--model"):
        """A shipped model's file by name, or the path given, which must be a file."""
        if str(name_or_path) in self.names:
            path = self.folder / f"{name_or_path}.keras"
            if not path.is_file():
                raise NSTError(f"the shipped {self.what} '{name_or_path}' is missing from {self.folder}: reinstall "
                               f"the package, or pass {option} PATH.keras")
            return path
        path = Path(name_or_path)
        if not path.is_file():
            problem = "is not a file" if path.exists() else "no such model file"
            raise NSTError(f"{name_or_path}: {problem} ({option}: a shipped {self.what}, "
                           f"{', '.join(self.names)}, or a .keras file)")
        return path


_PENDING = []  # modules whose custom layers register themselves on import, waiting for Keras to load


class _AfterKeras(importlib.abc.MetaPathFinder):
    """Runs the first import of ``keras`` as usual, then imports the ``_PENDING`` modules."""

    def find_spec(self, name, path=None, target=None):
        if name != "keras":
            return None
        sys.meta_path.remove(self)  # once: the real finders locate Keras
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            for pending in _PENDING:
                importlib.import_module(pending)

        spec.loader.exec_module = exec_module
        return spec


def register_on_keras_import(module):
    """Make ``module``'s custom layers known to ``keras.saving.load_model`` as soon as Keras is
    imported, without importing Keras now: it takes ~8 s, and the command lines check their inputs
    before it loads. So ``import keras_nst`` then ``keras.models.load_model(shipped_file)`` works."""
    if "keras" in sys.modules:
        importlib.import_module(module)
        return
    _PENDING.append(module)
    if not any(isinstance(finder, _AfterKeras) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AfterKeras())
