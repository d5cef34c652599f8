"""The web app's Super-resolution tab: lesson 9's x4 networks, before and after at one display size."""

import functools
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from ..core.errors import NSTError
from ..core.tiles import MIN_SIDE as NETWORK_MIN_SIDE
from .page import DEVICE, download, in_page
from .uploads import check_uploads, upload

MAX_PIXELS = 2_000_000  # larger photos: the command line, which tiles them without a page waiting


@functools.cache
def _sr_model(name):
    from super_res.upscale import load_model

    return load_model(name)


@in_page(clear=(None, gr.update(value=None, interactive=False)))
def upscale(photo, model, scale):
    """Lesson 9's super-resolution: (before, after) at one display size, the result to download
    (NAME_xS.png) and the status line; a transparent photo keeps its transparency, upscaled by the
    network as the command line does."""
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
    if h * w > MAX_PIXELS:
        raise NSTError(f"{Path(photo).name} is {w}x{h} px; the page upscales up to {MAX_PIXELS / 1e6:g} "
                       "megapixels: crop it, or use the command line (super-res upscale), which tiles any size")
    scale = int(scale)
    options = dict(tile=auto_tile(h, w, alpha=alpha is not None), scale=scale)
    out = run(_sr_model(model), image, **options)
    before = np.asarray(Image.fromarray(image).resize(out.shape[1::-1], Image.BICUBIC))
    if alpha is not None:
        out = np.dstack([out, upscale_alpha(_sr_model(model), alpha, **options)])
        before = np.dstack([before, np.asarray(Image.fromarray(alpha).resize(out.shape[1::-1], Image.BICUBIC))])
    path = download(out, f"{Path(photo).stem}_x{scale}.png")
    # files, not arrays: Gradio rewrites an array's cached copy in place when a result repeats
    bicubic = download(before, f"{Path(photo).stem}_bicubic_x{scale}.png")
    return (bicubic, path), gr.DownloadButton(value=path, interactive=True), ""


def _cleared():
    """No result: the comparison and its download belong to the photo they were made from."""
    return None, gr.DownloadButton(value=None, interactive=False)


def tab():
    from super_res.defaults import MODELS as SR_MODELS
    from super_res.defaults import SCALE, SCALES

    with gr.Tab("Super-resolution", id="sr"):
        with gr.Row():
            sr_photo = upload(label="photo", elem_id="sr-photo", min_side=NETWORK_MIN_SIDE)
            with gr.Column():
                sr_model = gr.Radio(list(SR_MODELS), value=SR_MODELS[0], label="model (psnr: faithful; "
                                    "perceptual: sharper, may show a faint grid)")
                sr_scale = gr.Radio([str(s) for s in SCALES], value=str(SCALE), label="scale")
                run_sr = gr.Button("Upscale", variant="primary", elem_id="sr-run")
                download = gr.DownloadButton("Download the result", elem_id="sr-download", interactive=False)
        status = gr.Markdown(elem_id="sr-status")
        # one download, named as the command line names it: the slider's own would save "image.png"
        compare = gr.ImageSlider(label="before (bicubic) | after", elem_id="sr-compare", format="png",
                                 buttons=["fullscreen"])
        # the result is this photo's only: gone on a new upload, and until a run succeeds
        sr_photo.change(_cleared, None, [compare, download], queue=False)
        check_uploads([sr_photo], status)
        run_sr.click(_cleared, None, [compare, download], queue=False).then(
            upscale, [sr_photo, sr_model, sr_scale], [compare, download, status], concurrency_id=DEVICE,
            concurrency_limit=1)
