"""The web app's three tabs on one Gradio ``Blocks``: lesson 8's style transfer (a preview after every
L-BFGS round, the loss curve, a Stop that keeps the last round), lesson 9's fast style (the shipped
styles, one forward pass) and its super-resolution (before and after at one display size).

Serving: every heavy job is in one concurrency group of one slot (``DEVICE``), so jobs queue and each
page shows its place in the queue. Uploads go through the command lines' own checks (``load_image``
for corrupt, tiny and enormous files, ``core.memory`` and the tile plans for what fits), and a bad
input is a message in the page, never a traceback; the server keeps serving. Nothing the page sends
names a server path or a model file: images are Gradio's uploads, models are picked by shipped name;
the messages name uploads by their file names only.
"""

import atexit
import functools
import inspect
import queue
import shutil
import tempfile
import threading
import time
import traceback
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from ..core.errors import NSTError
from ..core.image_io import load_image
from ..core.tiles import MIN_SIDE as NETWORK_MIN_SIDE
from ..defaults import CONTENT_WEIGHT, TV_WEIGHT

DEVICE = "device"  # the concurrency group of every job that computes: one at a time
QUEUE_SIZE = 32  # jobs waiting beyond this are refused with a message
MAX_UPLOAD = "25mb"
TRANSFER_SIZE = 384  # the style transfer tab's default size (longer side, px): a preview every few seconds on a GPU
TRANSFER_MAX_SIZE = 1024
FAST_SIZE = 1024
UPSCALE_MAX_PIXELS = 2_000_000  # larger photos: the command line, which tiles them without a page waiting
EXAMPLES = (("chelsea.png", "hubble_deep_field.jpg"), ("astronaut.png", "retina.jpg"))  # in scikit-image's data
KEEP_DOWNLOADS_S = 3600

STOPS = {}  # a page (Gradio's session hash) -> threading.Event: its Stop button, while its run lasts
_DOWNLOADS = Path(tempfile.mkdtemp(prefix="keras-nst-web-"))
atexit.register(shutil.rmtree, _DOWNLOADS, ignore_errors=True)


class _Stopped(Exception):
    """Raised from the optimiser's callback when the page's Stop was pressed."""


def _page_message(error, uploads):
    """An error's text with uploads named by their file name, not their server path."""
    text = str(error)
    for path in filter(None, uploads):
        text = text.replace(str(path), Path(path).name)
    return text


def _in_page(fn):
    """``fn``'s user errors as a message in the page (``gr.Error``); anything else too, its
    traceback on the server's terminal: a request never takes the server down."""
    uploads = lambda args: [a for a in args if isinstance(a, str)]

    def fail(e, args):
        if isinstance(e, gr.Error):
            raise e
        if isinstance(e, NSTError):
            raise gr.Error(_page_message(e, uploads(args)), print_exception=False) from None
        traceback.print_exc()
        raise gr.Error(f"internal error ({type(e).__name__}): {_page_message(e, uploads(args))}",
                       print_exception=False) from None

    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def stream(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except Exception as e:
                fail(e, args)

        return stream

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            fail(e, args)

    return call


def upload(**kwargs):
    """An image upload whose unreadable files (a text file named .jpg) are a message in the page, not
    Gradio's bare "Error": its own decoding (``preprocess``) runs before the handler, so the
    handler's checks (``_upload``) cannot speak for it. Wrapped on the instance: a subclass of a
    Gradio component makes Gradio write a .pyi file beside this module."""
    image = gr.Image(type="filepath", sources=["upload"], **kwargs)
    decode = image.preprocess

    def preprocess(payload):
        try:
            return decode(payload)
        except Exception as e:
            name = getattr(payload, "orig_name", None) or Path(payload.path).name
            reason = str(e).replace(str(payload.path), name)
            raise gr.Error(f"{name}: not an image this app can read ({reason})", print_exception=False) from None

    image.preprocess = preprocess
    return image


def _upload(path, what, size=None, min_side=None):
    if not path:
        raise NSTError(f"upload a {what} first")
    return load_image(path, size, **({"min_side": min_side} if min_side else {}))


def _curve(losses):
    import pandas as pd

    return pd.DataFrame({"round": np.arange(1, len(losses) + 1), "loss": losses})


@_in_page
def transfer(content, style, size, rounds, content_weight, style_scale, tv_weight, preserve,
             request: gr.Request, progress=gr.Progress()):  # noqa: B008  (Gradio finds its bar by this default)
    """Lesson 8: the photo painted from noise by L-BFGS, yielding (image, loss curve, status) each round."""
    from .. import experiments as ex
    from ..core import memory
    from ..core.backend import describe_precision
    from ..core.errors import check_weight
    from ..core.vgg import BYTES_PER_PIXEL, deproc

    size, rounds = int(size), int(rounds)
    photo = _upload(content, "photo", size)
    painting = _upload(style, "painting", max(32, round(size * float(style_scale))))
    check_weight(content_weight, "content weight")
    check_weight(tv_weight, "TV weight")
    memory.check_images([(1, *photo.shape)], BYTES_PER_PIXEL)
    stop = STOPS.setdefault(request.session_hash, threading.Event())
    stop.clear()
    updates = queue.Queue()

    def callback(i, x, loss):
        updates.put(("round", i + 1, deproc(x)[0].round().astype(np.uint8), loss))
        if stop.is_set():
            raise _Stopped

    def work():
        try:
            updates.put(("done", ex.style_transfer(
                photo, painting, size=size, iters=rounds, content_weight=float(content_weight),
                tv_weight=float(tv_weight), style_scale=float(style_scale),
                preserve_color="luminance" if preserve else None, callback=callback)))
        except _Stopped:
            updates.put(("stopped",))
        except Exception as e:  # handed to the page's thread, which reports it
            updates.put(("error", e))

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    losses = []
    progress((0, rounds), desc="L-BFGS", unit="round")
    yield None, None, "loading VGG16 and the images' targets ..."
    try:
        while True:
            kind, *item = updates.get()
            if kind == "error":
                raise item[0]
            if kind == "stopped":
                yield gr.skip(), gr.skip(), f"stopped after round {len(losses)}: the image is that round's"
                return
            if kind == "done":
                yield (item[0].image, _curve(losses), f"done: {rounds} rounds, loss {losses[-1]:.4g}, "
                       f"{describe_precision(item[0].precision)}")
                return
            i, image, loss = item
            losses.append(loss)
            progress((i, rounds), desc="L-BFGS", unit="round")
            yield image, _curve(losses), f"round {i} of {rounds}: loss {loss:.4g}"
    finally:  # the page went away or Stop: the device is free only when the round in hand ends
        stop.set()
        worker.join()
        STOPS.pop(request.session_hash, None)


def stop_transfer(request: gr.Request):
    if request.session_hash in STOPS:
        STOPS[request.session_hash].set()


@functools.cache
def _style_model(name):
    from ..fast_style.inference import load_style_model

    return load_style_model(name)


@_in_page
def fast(photo, style, size, preserve):
    """Lesson 9's homework: the photo in a shipped style, one forward pass at ``size`` px (never enlarged)."""
    from ..fast_style.inference import stylize
    from ..fast_style.options import shipped

    if style not in shipped():
        raise NSTError(f"pick one of the shipped styles: {', '.join(shipped())}")
    image = _upload(photo, "photo", min_side=NETWORK_MIN_SIDE)
    size = min(int(size), max(image.shape[:2]))
    return stylize(_style_model(style), image, size=size, preserve_color="luminance" if preserve else None)


@functools.cache
def _sr_model(name):
    from super_res.upscale import load_model

    return load_model(name)


def _download(image, name):
    """``image`` as a PNG for the download button, in this server's own folder (files older than an
    hour go on the next call; the folder goes when the server stops)."""
    for old in _DOWNLOADS.glob("*/*.png"):
        if time.time() - old.stat().st_mtime > KEEP_DOWNLOADS_S:
            shutil.rmtree(old.parent, ignore_errors=True)
    path = Path(tempfile.mkdtemp(dir=_DOWNLOADS)) / name
    Image.fromarray(image).save(path)
    return str(path)


@_in_page
def upscale(photo, model, scale):
    """Lesson 9's super-resolution: (before, after) at one display size, and the result to download."""
    from super_res.defaults import MODELS
    from super_res.upscale import auto_tile
    from super_res.upscale import upscale as run

    if model not in MODELS:
        raise NSTError(f"pick one of the shipped models: {', '.join(MODELS)}")
    image = _upload(photo, "photo", min_side=NETWORK_MIN_SIDE)
    h, w = image.shape[:2]
    if h * w > UPSCALE_MAX_PIXELS:
        raise NSTError(f"{Path(photo).name} is {w}x{h} px; the page upscales up to {UPSCALE_MAX_PIXELS / 1e6:g} "
                       "megapixels: crop it, or use the command line (super-res upscale), which tiles any size")
    scale = int(scale)
    out = run(_sr_model(model), image, tile=auto_tile(h, w), scale=scale)
    before = np.asarray(Image.fromarray(image).resize(out.shape[1::-1], Image.BICUBIC))
    return (before, out), _download(out, f"{Path(photo).stem}_x{scale}.png")


def _example(name):
    import skimage.data

    return str(Path(skimage.data.__file__).parent / name)


def example_folder():
    """Where the examples lie: the server may hand out files from there."""
    return str(Path(_example(EXAMPLES[0][0])).parent)


def build():
    """The app, not started: ``build().queue(...).launch(...)`` (``cli.serve`` does that)."""
    from super_res.defaults import MODELS as SR_MODELS
    from super_res.defaults import SCALE, SCALES

    from ..fast_style.options import shipped

    result_buttons = ["download", "fullscreen"]
    with gr.Blocks(title="keras-nst", delete_cache=(600, KEEP_DOWNLOADS_S)) as app:
        gr.Markdown("## keras-nst: fast.ai lessons 8-9 in the browser")
        with gr.Tab("Style transfer", id="transfer"):
            with gr.Row():
                content = upload(label="photo", elem_id="transfer-photo")
                style = upload(label="painting", elem_id="transfer-painting")
            gr.Examples([[_example(c), _example(s)] for c, s in EXAMPLES], [content, style])
            with gr.Row():
                size = gr.Slider(64, TRANSFER_MAX_SIZE, TRANSFER_SIZE, step=32, label="size (longer side, px)",
                                 elem_id="transfer-size")
                rounds = gr.Slider(1, 30, 10, step=1, label="L-BFGS rounds (20 evaluations each)",
                                   elem_id="transfer-rounds")
            with gr.Accordion("artistic controls", open=False):
                with gr.Row():
                    content_weight = gr.Number(CONTENT_WEIGHT, label="content weight (lower: more style)")
                    style_scale = gr.Slider(0.25, 2.0, 1.0, step=0.05, label="style scale (larger: larger strokes)")
                    tv_weight = gr.Number(TV_WEIGHT, label="total variation (higher: smoother)")
                    preserve = gr.Checkbox(label="keep the photo's colours")
            with gr.Row():
                paint = gr.Button("Paint", variant="primary", elem_id="transfer-run")
                stop = gr.Button("Stop", elem_id="transfer-stop")
            status = gr.Markdown(elem_id="transfer-status")
            with gr.Row():
                result = gr.Image(label="result", format="png", interactive=False, buttons=result_buttons,
                                  elem_id="transfer-result")
                curve = gr.LinePlot(x="round", y="loss", label="loss after each round")
            paint.click(transfer, [content, style, size, rounds, content_weight, style_scale, tv_weight, preserve],
                        [result, curve, status], concurrency_id=DEVICE, concurrency_limit=1)
            stop.click(stop_transfer, None, None, queue=False)
        with gr.Tab("Fast style", id="fast"):
            names = shipped()
            with gr.Row():
                photo = upload(label="photo", elem_id="fast-photo")
                styled = gr.Image(label="result", format="png", interactive=False, buttons=result_buttons,
                                  elem_id="fast-result")
            gallery = gr.Gallery([(_sample(name), name) for name in names], label="styles (click one)", columns=6,
                                 height=200, object_fit="contain", allow_preview=False)
            choice = gr.Radio(names, value=names[0], label="style", elem_id="fast-style")
            gallery.select(_picked, None, choice)
            with gr.Row():
                fast_size = gr.Slider(128, 2048, FAST_SIZE, step=64, label="working size (longer side, px): "
                                      "the stroke size; photos are never enlarged")
                fast_preserve = gr.Checkbox(label="keep the photo's colours")
            run_fast = gr.Button("Stylise", variant="primary", elem_id="fast-run")
            run_fast.click(fast, [photo, choice, fast_size, fast_preserve], styled, concurrency_id=DEVICE,
                           concurrency_limit=1)
        with gr.Tab("Super-resolution", id="sr"):
            with gr.Row():
                sr_photo = upload(label="photo", elem_id="sr-photo")
                with gr.Column():
                    sr_model = gr.Radio(list(SR_MODELS), value=SR_MODELS[0], label="model (psnr: faithful; "
                                        "perceptual: sharper, may show a faint grid)")
                    sr_scale = gr.Radio(list(SCALES), value=SCALE, label="scale")
                    run_sr = gr.Button("Upscale", variant="primary", elem_id="sr-run")
                    download = gr.DownloadButton("Download the result", elem_id="sr-download")
            compare = gr.ImageSlider(label="before (bicubic) | after", elem_id="sr-compare")
            run_sr.click(upscale, [sr_photo, sr_model, sr_scale], [compare, download], concurrency_id=DEVICE,
                         concurrency_limit=1)
    return app


def _picked(event: gr.SelectData):
    return event.value["caption"]


@functools.cache
def _sample(name):
    """A style's thumbnail: a scikit-image photo in that style, small."""
    from ..fast_style.inference import stylize

    return stylize(_style_model(name), load_image(_example("chelsea.png"), 192))


def serve(*, host, port, started=print):
    """Build and serve the app; ``started(url)`` once it listens; blocks until stopped."""
    app = build()
    app.queue(max_size=QUEUE_SIZE).launch(server_name=host, server_port=port, max_file_size=MAX_UPLOAD,
                                          allowed_paths=[example_folder()], prevent_thread_lock=True, quiet=True)
    started(f"http://{host}:{port}")
    app.block_thread()
