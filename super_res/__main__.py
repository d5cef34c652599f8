"""``python -m super_res``: the CLI."""

from .cli import main

raise SystemExit(main())
