"""The web app's four tabs on one Gradio ``Blocks``: lesson 8's style transfer (a preview after every
L-BFGS round, the loss curve, a Stop that keeps the last round), the 2018 lesson's harmonization (an
object painted into a painting, both passes watched the same way), lesson 9's fast style (the
shipped styles, one forward pass) and its super-resolution (before and after at one display size).

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
from ..defaults import CONTENT_WEIGHT, HARMONIZE_ITERS, STYLE_LEVEL, STYLE_LEVELS, TV_WEIGHT

DEVICE = "device"  # the concurrency group of every job that computes: one at a time
QUEUE_SIZE = 32  # jobs waiting beyond this are refused with a message
MAX_UPLOAD = "25mb"
TRANSFER_SIZE = 384  # the style transfer tab's default size (longer side, px): a preview every few seconds on a GPU
TRANSFER_MAX_SIZE = 1024
HARMONIZE_SIZE = 400  # the harmonize tab's default size: two passes in a few minutes on a CPU
HARMONIZE_MODES = ("an object to place", "the composite (the painting with the object pasted in)")
FAST_SIZE = 1024
UPSCALE_MAX_PIXELS = 2_000_000  # larger photos: the command line, which tiles them without a page waiting
EXAMPLES = (("chelsea.png", "hubble_deep_field.jpg"), ("astronaut.png", "retina.jpg"))  # in scikit-image's data
KEEP_DOWNLOADS_S = 3600
RESULT_BUTTONS = ["download", "fullscreen"]

STOPS = {}  # (a browser page, tab) -> threading.Event: that tab's Stop, from its Run button until the job ends
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


def upload(*, min_side=None, **kwargs):
    """An image upload handed to the handlers as the uploaded file itself (``image_mode=None``: no
    conversion by Gradio, so 16-bit, greyscale and transparent files reach the project's own loader,
    as on the command line), checked as soon as it arrives (``min_side`` px at least), and whose
    unreadable files (a text file named .jpg) are a message in the page, not Gradio's bare "Error":
    its own decoding (``preprocess``) runs before the handler, so the handler's checks (``_upload``)
    cannot speak for it. Wrapped on the instance: a subclass of a Gradio component makes Gradio
    write a .pyi file beside this module."""
    image = gr.Image(type="filepath", sources=["upload"], image_mode=None, **kwargs)
    # queued (a message shows only for queued events) but in no group: never behind a running job
    image.upload(functools.partial(_check_upload, min_side=min_side), image, None, concurrency_limit=None,
                 show_progress="hidden")
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


@_in_page
def _check_upload(path, min_side=None):
    """An upload read at once, so a bad one is a message when it arrives, not after pressing the button."""
    if path:
        load_image(path, **({"min_side": min_side} if min_side else {}))


def _curve(losses):
    """The loss after each round: points joined by a line (one round is one point), whole rounds on
    the x axis, a log scale as the command line's grid."""
    from matplotlib.ticker import MaxNLocator

    from ..core.plots import figure

    fig = figure(figsize=(5, 3))
    ax = fig.subplots()
    ax.plot(np.arange(1, len(losses) + 1), losses, marker="o")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("round")
    ax.set_ylabel("loss")
    ax.set_yscale("log")
    return fig


def _rounds_done(n):
    return f"{n} round{'s' * (n != 1)}"


@_in_page
def transfer(content, style, size, rounds, content_weight, style_scale, tv_weight, preserve,
             request: gr.Request, progress=gr.Progress()):  # noqa: B008  (Gradio finds its bar by this default)
    """Lesson 8: the photo painted from noise by L-BFGS, yielding (image, loss curve, status) each round."""
    from .. import experiments as ex
    from ..core import memory
    from ..core.errors import check_weight
    from ..core.vgg import BYTES_PER_PIXEL

    size, rounds = int(size), int(rounds)
    photo = _upload(content, "photo", size)
    painting = _upload(style, "painting", max(32, round(size * float(style_scale))))
    check_weight(content_weight, "content weight")
    check_weight(tv_weight, "TV weight")
    memory.check_images([(1, *photo.shape)], BYTES_PER_PIXEL)
    run = lambda callback: ex.style_transfer(
        photo, painting, size=size, iters=rounds, content_weight=float(content_weight), tv_weight=float(tv_weight),
        style_scale=float(style_scale), preserve_color="luminance" if preserve else None,
        callback=lambda i, x, loss: callback(i + 1, x, loss))
    yield from _rounds(run, rounds, request, progress, "transfer", f"{Path(content).stem}_{Path(style).stem}.png")


def _rounds(run, rounds, request, progress, tab, name, stage=lambda i: ""):
    """Run ``run(callback)`` (an optimisation whose ``callback(i, x, loss)`` follows its round ``i`` of
    ``rounds``) on a worker thread; yield (image, loss curve, status) as each round ends and when it
    is done, the result as a PNG file called ``name`` for its download button. The page's Stop for
    ``tab`` (``stop_run``), pressed while the job waited in the queue or while it runs, or the page
    closed, ends it: at once, or after the round in hand, which stays on the page."""
    from ..core.backend import describe_precision
    from ..core.vgg import deproc

    stop = STOPS.setdefault((request.session_hash, tab), threading.Event())
    if stop.is_set():  # Stop was pressed while the job waited for the device: it ends without computing
        STOPS.pop((request.session_hash, tab), None)
        yield gr.skip(), gr.skip(), "stopped before it started"
        return
    stop.running = True
    updates = queue.Queue()

    def callback(i, x, loss):
        updates.put(("round", i, deproc(x)[0].round().astype(np.uint8), loss))
        if stop.is_set():
            raise _Stopped

    def work():
        try:
            updates.put(("done", run(callback)))
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
                yield (_download(item[0].image, name), _curve(losses), f"done: {_rounds_done(rounds)}, loss "
                       f"{losses[-1]:.4g}, {describe_precision(item[0].precision)}")
                return
            i, image, loss = item
            losses.append(loss)
            progress((i, rounds), desc="L-BFGS", unit="round")
            yield image, _curve(losses), f"round {i} of {rounds}{stage(i)}: loss {loss:.4g}"
    finally:  # the page went away or Stop: the device is free only when the round in hand ends
        stop.set()
        worker.join()
        STOPS.pop((request.session_hash, tab), None)


@_in_page
def harmonize(painting, second, mask, mode, x, y, scale, size, rounds, level, request: gr.Request,
              progress=gr.Progress()):  # noqa: B008  (Gradio finds its bar by this default)
    """The 2018 lesson's project: an object painted into a painting in two passes, yielding (image,
    loss curve, status) each round. ``mode``: ``second`` is an object to place (at ``x``, ``y`` % of
    the painting, ``scale`` x its size; its transparency, or ``mask``, marks it) or the composite
    (the painting with the object pasted in; ``mask`` marks it)."""
    from ..core import memory
    from ..core.image_io import load_mask
    from ..core.vgg import BYTES_PER_PIXEL
    from ..harmonization import harmonize as run_harmonize
    from ..harmonization_inputs import check_mask, compose

    size, rounds = int(size), int(rounds)
    art = _upload(painting, "painting", size)
    if mode == HARMONIZE_MODES[0]:
        if not second:
            raise NSTError("upload the object first")
        obj = np.asarray(Image.open(second).convert("RGBA"))
        object_mask = None if not mask else load_image(mask, min_side=1)
        if object_mask is None and obj[..., 3].min() == 255:
            raise NSTError(f"{Path(second).name} has no transparency: upload a cut-out (PNG with transparency), "
                           "or the object's mask beside it")
        h, w = art.shape[:2]
        composite, object_region = compose(art, obj, at=(round(float(x) / 100 * w), round(float(y) / 100 * h)),
                                           scale=float(scale) * max(h, w) / max(obj.shape[:2]),
                                           object_mask=object_mask)
    else:
        composite = _upload(second, "composite", size)
        if composite.shape != art.shape:
            raise NSTError(f"{Path(second).name} is {composite.shape[1]}x{composite.shape[0]} px at this size, the "
                           f"painting {art.shape[1]}x{art.shape[0]}: the composite must be the painting with the "
                           "object pasted in")
        if not mask:
            raise NSTError("upload the object's mask (white on black) beside the composite")
        object_region = load_mask(mask, composite.shape, "mask")
    check_mask(object_region, "mask")
    memory.check_images([(1, *composite.shape)], BYTES_PER_PIXEL)
    run = lambda callback: run_harmonize(art, composite, object_region, iters=rounds, style_level=int(level),
                                         callback=lambda i, x, loss, stage: callback((stage - 1) * rounds + i + 1,
                                                                                     x, loss))
    yield from _rounds(run, 2 * rounds, request, progress, "harmonize", f"{Path(painting).stem}_harmonized.png",
                       lambda i: f" (pass {1 + (i - 1) // rounds})")


def queued(tab, request: gr.Request):
    """A page's Paint or Harmonize pressed: its job is on its way to the queue, not stopped yet."""
    STOPS[request.session_hash, tab] = threading.Event()
    return "waiting for the device ..."


def stop_run(tab, request: gr.Request):
    """The page's Stop: its job ends at once if it is still waiting, after the round in hand if it runs."""
    stop = STOPS.get((request.session_hash, tab))
    if stop is None:
        return gr.skip()
    stop.set()
    if getattr(stop, "running", False):
        return "stopping ... (after the round in hand, whose image stays)"
    return "stopped: it was waiting for the device, and will not run"


def for_tab(fn, tab):
    """``fn(tab, request)`` as a listener Gradio can call: it passes the request by the annotation of
    the listener's only parameter (a ``functools.partial`` would show it ``tab`` as an input)."""

    def listener(request: gr.Request):
        return fn(tab, request)

    listener.__name__ = f"{fn.__name__}_{tab}"
    return listener


def page_closed(request: gr.Request):
    """A closed page stops its jobs, as its Stop would."""
    for key, stop in list(STOPS.items()):
        if key[0] == request.session_hash:
            stop.set()


@functools.cache
def _style_model(name):
    from ..fast_style.inference import load_style_model

    return load_style_model(name)


@_in_page
def fast(photo, style, size, preserve, keep_size=False):
    """Lesson 9's homework: the photo in a shipped style, one forward pass at ``size`` px (never
    enlarged), brought back to the photo's size with ``keep_size``; a PNG named PHOTO_STYLE.png."""
    from ..fast_style.inference import stylize
    from ..fast_style.options import shipped

    if style not in shipped():
        raise NSTError(f"pick one of the shipped styles: {', '.join(shipped())}")
    image = _upload(photo, "photo", min_side=NETWORK_MIN_SIDE)
    size = min(int(size), max(image.shape[:2]))
    styled = stylize(_style_model(style), image, size=size, keep_size=bool(keep_size),
                     preserve_color="luminance" if preserve else None)
    return _download(styled, f"{Path(photo).stem}_{style}.png")


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
    path = Path(tempfile.mkdtemp(dir=_DOWNLOADS)) / Path(name).name
    Image.fromarray(image).save(path)
    return str(path)


@_in_page
def upscale(photo, model, scale):
    """Lesson 9's super-resolution: (before, after) at one display size, and the result to download
    (NAME_xS.png); a transparent photo keeps its transparency, upscaled by the network as the command
    line does."""
    from super_res.defaults import MODELS, SCALES
    from super_res.upscale import auto_tile, upscale_alpha
    from super_res.upscale import upscale as run

    from ..core.image_io import load_with_alpha

    if model not in MODELS:
        raise NSTError(f"pick one of the shipped models: {', '.join(MODELS)}")
    if str(scale) not in map(str, SCALES):
        raise NSTError(f"scale {scale}: use one of {', '.join(map(str, SCALES))}")
    if not photo:
        raise NSTError("upload a photo first")
    image, alpha = load_with_alpha(photo, min_side=NETWORK_MIN_SIDE)
    h, w = image.shape[:2]
    if h * w > UPSCALE_MAX_PIXELS:
        raise NSTError(f"{Path(photo).name} is {w}x{h} px; the page upscales up to {UPSCALE_MAX_PIXELS / 1e6:g} "
                       "megapixels: crop it, or use the command line (super-res upscale), which tiles any size")
    scale = int(scale)
    options = dict(tile=auto_tile(h, w, alpha=alpha is not None), scale=scale)
    out = run(_sr_model(model), image, **options)
    before = np.asarray(Image.fromarray(image).resize(out.shape[1::-1], Image.BICUBIC))
    if alpha is not None:
        out = np.dstack([out, upscale_alpha(_sr_model(model), alpha, **options)])
        before = np.dstack([before, np.asarray(Image.fromarray(alpha).resize(out.shape[1::-1], Image.BICUBIC))])
    path = _download(out, f"{Path(photo).stem}_x{scale}.png")
    return (before, out), gr.DownloadButton(value=path, interactive=True)


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
            _live_panel("transfer", "Paint", "loss after each round", transfer,
                        [content, style, size, rounds, content_weight, style_scale, tv_weight, preserve])
        with gr.Tab("Harmonize", id="harmonize"):
            with gr.Row():
                h_painting = upload(label="painting (without the object)", elem_id="harmonize-painting")
                h_object = upload(label="object (a cut-out with transparency) or composite", elem_id="harmonize-object",
                                  min_side=1)
                h_mask = upload(label="mask (white = the object; optional for a cut-out)", elem_id="harmonize-mask",
                                min_side=1)
            h_mode = gr.Radio(list(HARMONIZE_MODES), value=HARMONIZE_MODES[0], label="the second image is",
                              elem_id="harmonize-mode")
            with gr.Row():
                h_x = gr.Slider(0, 100, 50, step=1, label="object's centre: across (%)", elem_id="harmonize-x")
                h_y = gr.Slider(0, 100, 60, step=1, label="object's centre: down (%)", elem_id="harmonize-y")
                h_scale = gr.Slider(0.05, 1.0, 0.4, step=0.01, label="object's size (share of the painting)",
                                    elem_id="harmonize-scale")
            with gr.Row():
                h_size = gr.Slider(64, TRANSFER_MAX_SIZE, HARMONIZE_SIZE, step=32, label="size (longer side, px)",
                                   elem_id="harmonize-size")
                h_rounds = gr.Slider(1, 20, HARMONIZE_ITERS, step=1, label="L-BFGS rounds per pass",
                                     elem_id="harmonize-rounds")
                h_level = gr.Slider(min(STYLE_LEVELS), max(STYLE_LEVELS), STYLE_LEVEL, step=1,
                                    label="style level (1: barely painted, 10: painted over)",
                                    elem_id="harmonize-level")
            _live_panel("harmonize", "Harmonize", "loss after each round (both passes)", harmonize,
                        [h_painting, h_object, h_mask, h_mode, h_x, h_y, h_scale, h_size, h_rounds, h_level])
        with gr.Tab("Fast style", id="fast"):
            names = shipped()
            with gr.Row():
                photo = upload(label="photo", elem_id="fast-photo", min_side=NETWORK_MIN_SIDE)
                styled = gr.Image(label="result", format="png", interactive=False, buttons=RESULT_BUTTONS,
                                  elem_id="fast-result")
            gallery = gr.Gallery([(_sample(name), name) for name in names], label="styles (click one)",
                                 columns=len(names), height="auto", object_fit="contain", allow_preview=False,
                                 elem_id="fast-gallery")
            choice = gr.Radio(names, value=names[0], label="style", elem_id="fast-style")
            gallery.select(_picked, None, choice)
            with gr.Row():
                fast_size = gr.Slider(128, 2048, FAST_SIZE, step=64, label="working size (longer side, px): "
                                      "the stroke size; photos are never enlarged", elem_id="fast-size")
                fast_preserve = gr.Checkbox(label="keep the photo's colours")
                fast_keep = gr.Checkbox(label="keep the photo's size", elem_id="fast-keep-size")
            run_fast = gr.Button("Stylise", variant="primary", elem_id="fast-run")
            run_fast.click(fast, [photo, choice, fast_size, fast_preserve, fast_keep], styled, concurrency_id=DEVICE,
                           concurrency_limit=1)
        with gr.Tab("Super-resolution", id="sr"):
            with gr.Row():
                sr_photo = upload(label="photo", elem_id="sr-photo", min_side=NETWORK_MIN_SIDE)
                with gr.Column():
                    sr_model = gr.Radio(list(SR_MODELS), value=SR_MODELS[0], label="model (psnr: faithful; "
                                        "perceptual: sharper, may show a faint grid)")
                    sr_scale = gr.Radio([str(s) for s in SCALES], value=str(SCALE), label="scale")
                    run_sr = gr.Button("Upscale", variant="primary", elem_id="sr-run")
                    download = gr.DownloadButton("Download the result", elem_id="sr-download", interactive=False)
            compare = gr.ImageSlider(label="before (bicubic) | after", elem_id="sr-compare", format="png")
            run_sr.click(upscale, [sr_photo, sr_model, sr_scale], [compare, download], concurrency_id=DEVICE,
                         concurrency_limit=1)
        app.unload(page_closed)
    return app


def _live_panel(tab, label, curve_label, job, inputs):
    """A tab's Run and Stop buttons, status line, result and loss curve, for a ``job`` that reports
    every round (``_rounds``): Run marks the page's job as coming, then queues ``job(*inputs)`` for
    the device; Stop answers at once."""
    with gr.Row():
        run = gr.Button(label, variant="primary", elem_id=f"{tab}-run")
        stop = gr.Button("Stop", elem_id=f"{tab}-stop")
    status = gr.Markdown(elem_id=f"{tab}-status")
    with gr.Row():
        result = gr.Image(label="result", format="png", interactive=False, buttons=RESULT_BUTTONS,
                          elem_id=f"{tab}-result")
        curve = gr.Plot(label=curve_label, elem_id=f"{tab}-curve")
    run.click(for_tab(queued, tab), None, status, queue=False).then(
        job, inputs, [result, curve, status], concurrency_id=DEVICE, concurrency_limit=1)
    stop.click(for_tab(stop_run, tab), None, status, queue=False)


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
