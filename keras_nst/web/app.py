"""The web app's four tabs on one Gradio ``Blocks``: lesson 8's style transfer (a preview after every
L-BFGS round, the loss curve, a Stop that keeps the last round), the 2018 lesson's harmonization (an
object painted into a painting, both passes watched the same way), lesson 9's fast style (the
shipped styles, one forward pass) and its super-resolution (before and after at one display size).
Each tab is one module (``*_tab.py``: its handler and its ``tab()``); ``page`` holds what they share.

Serving: every heavy job is in one concurrency group of one slot (``page.DEVICE``), so jobs queue and
each page shows its place in the queue. Uploads go through the command lines' own checks
(``load_image`` for corrupt, tiny and enormous files, ``core.memory`` and the tile plans for what
fits), and a bad input is a message in the page, never a traceback; the server keeps serving.
Nothing the page sends names a server path or a model file: images are Gradio's uploads, models are
picked by shipped name; the messages name uploads by their file names only.
"""

import atexit
from pathlib import Path

import gradio as gr

from . import fast_tab, harmonize_tab, transfer_tab, upscale_tab
from .fast_tab import fast
from .harmonize_tab import HARMONIZE_MODES, harmonize
from .live import page_closed, stop_run
from .page import KEEP_DOWNLOADS_S, example, remove_downloads
from .transfer_tab import transfer
from .upscale_tab import upscale

QUEUE_SIZE = 32  # jobs waiting beyond this are refused with a message
MAX_UPLOAD = "25mb"
TABS = (transfer_tab, harmonize_tab, fast_tab, upscale_tab)  # in the page's order
__all__ = ["HARMONIZE_MODES", "build", "fast", "harmonize", "serve", "stop_run", "transfer", "upscale"]
atexit.register(remove_downloads)


def example_folder():
    """Where the examples lie: the server may hand out files from there."""
    return str(Path(example("chelsea.png")).parent)


def build():
    """The app, not started: ``build().queue(...).launch(...)`` (``cli.serve`` does that)."""
    with gr.Blocks(title="keras-nst", delete_cache=(600, KEEP_DOWNLOADS_S)) as app:
        gr.Markdown("## keras-nst: fast.ai lessons 8-9 in the browser")
        for module in TABS:
            module.tab()
        app.unload(page_closed)
    return app


def serve(*, host, port, started=print):
    """Build and serve the app; ``started(url)`` once it listens; blocks until stopped."""
    app = build()
    app.queue(max_size=QUEUE_SIZE).launch(server_name=host, server_port=port, max_file_size=MAX_UPLOAD,
                                          allowed_paths=[example_folder()], prevent_thread_lock=True, quiet=True)
    started(f"http://{host}:{port}")
    app.block_thread()
