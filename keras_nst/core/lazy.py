"""Packages whose public names are imported on first use: ``import keras_nst`` (or a task's
package) must not import Keras, whose start-up takes ~8 s, so the command lines check their inputs
before it loads; each name's module loads when the name is first used."""

import importlib
import sys


def lazy_api(package, api):
    """``(__getattr__, __dir__, __all__)`` for ``package`` (its ``__name__``) from ``api``: module
    (relative to the package) -> the public names it holds."""
    where = {name: module for module, names in api.items() for name in names}

    def __getattr__(name):
        if name not in where:
            raise AttributeError(f"module '{package}' has no attribute '{name}'")
        return getattr(importlib.import_module(f".{where[name]}", package), name)

    def __dir__():
        return sorted(set(vars(sys.modules[package])) | set(where))

    return __getattr__, __dir__, sorted(where)
