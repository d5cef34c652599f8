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
picked by shipped name; the messages name uploads by their file names only. Every error of a tab is
said in its status line; one the server expects (bad input, a request Gradio refuses) is one line in
its log, and only a bug a traceback. Uploads and downloads live in the server's own temporary folder
(``page.work_folder``), gone when it stops.
"""

import os
import sys
import time
import traceback
from pathlib import Path

import gradio as gr
from gradio import route_utils
from gradio.exceptions import InvalidPathError

from . import fast_tab, harmonize_tab, transfer_tab, upscale_tab
from .fast_tab import fast
from .harmonize_tab import HARMONIZE_MODES, harmonize
from .live import page_closed, stop_run
from .page import KEEP_DOWNLOADS_S, example_folder, remove_left_folders, work_folder
from .transfer_tab import transfer
from .uploads import GRADIO_MAX_UPLOAD, number_inputs
from .upscale_tab import upscale

QUEUE_SIZE = 32  # jobs waiting beyond this are refused with a message
TABS = (transfer_tab, harmonize_tab, fast_tab, upscale_tab)  # in the page's order
ENDPOINTS = ("transfer", "harmonize", "fast", "upscale")  # the API's jobs, named in its refusals
__all__ = ["HARMONIZE_MODES", "build", "fast", "harmonize", "serve", "stop_run", "transfer", "upscale"]


def build():
    """The app, not started: ``build().queue(...).launch(...)`` (``cli.serve`` does that)."""
    with gr.Blocks(title="keras-nst", delete_cache=(600, KEEP_DOWNLOADS_S)) as app:
        gr.Markdown("## keras-nst: fast.ai lessons 8-9 in the browser")
        for module in TABS:
            module.tab()
        app.unload(page_closed)
    number_inputs(app)
    return app


def serve(*, host, port, started=print):
    """Build and serve the app; ``started(url)`` once it listens; blocks until stopped (Ctrl-C or
    SIGTERM: the ``KeyboardInterrupt`` goes on to the command line's report, after the server closed)."""
    remove_left_folders()
    os.environ["GRADIO_TEMP_DIR"] = str(work_folder() / "uploads")  # read when the app is built
    app = build()
    app.queue(max_size=QUEUE_SIZE).launch(
        server_name=host, server_port=port, max_file_size=GRADIO_MAX_UPLOAD, allowed_paths=[example_folder()],
        prevent_thread_lock=True, quiet=True, app_kwargs={"exception_handlers": {
            route_utils.FnIndexInferError: _no_endpoint, KeyError: _no_endpoint}})
    _one_line_for_refusals()
    started(f"http://{host}:{port}")
    try:
        while app.is_running:  # Gradio's block_thread would swallow the interrupt and exit 0
            time.sleep(0.1)
    finally:
        app.close()


def _no_endpoint(request, error):
    """An API call to an endpoint this app does not have: HTTP 404 and one line, not a 500."""
    from fastapi.responses import JSONResponse

    if isinstance(error, KeyError) and _raised_in(error) != "get_fn":  # not an unknown fn_index: a bug
        raise error
    print(f"keras-nst serve: {request.url.path}: no such endpoint", file=sys.stderr, flush=True)
    return JSONResponse({"error": f"no such endpoint ({request.url.path}); this app's are "
                                  + ", ".join(f"/{name}" for name in ENDPOINTS)}, status_code=404)


def _raised_in(error):
    tb = error.__traceback__
    while tb and tb.tb_next:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_name if tb else None


class _Refusals:
    """``traceback`` as Gradio's queue and routes see it: a request Gradio refuses before any of the
    app's code runs (``_refusal``) is one line in the log; anything else, or an error whose traceback
    passes through this project's code, is a bug, and keeps its traceback."""

    def __getattr__(self, name):
        return getattr(traceback, name)

    @staticmethod
    def print_exc(*args, **kwargs):
        error = sys.exc_info()[1]
        if not _refusal(error) or _through_project(error):
            traceback.print_exc(*args, **kwargs)
            return
        text = (str(error).strip().splitlines() or [""])[0]
        print(f"keras-nst serve: a request refused: {type(error).__name__}: {text}", file=sys.stderr, flush=True)


def _refusal(error):
    """Gradio's answer to a request's own fault: a path the page never uploaded, a payload its
    models reject, too few values, its own range checks."""
    from pydantic import ValidationError

    return isinstance(error, (gr.Error, InvalidPathError, ValidationError)) or (
        isinstance(error, ValueError) and "didn't receive enough input values" in str(error))


def _through_project(error):
    import super_res

    project = tuple(str(Path(package.__file__).parent) + os.sep for package in (sys.modules["keras_nst"], super_res))
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        tb = error.__traceback__
        while tb:
            if tb.tb_frame.f_code.co_filename.startswith(project):
                return True
            tb = tb.tb_next
        error = error.__cause__ or error.__context__
    return False


def _one_line_for_refusals():
    from gradio import queueing, routes

    queueing.traceback = routes.traceback = _Refusals()
