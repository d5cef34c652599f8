"""``python -m keras_nst``: the CLI."""

from .cli import main

raise SystemExit(main())
