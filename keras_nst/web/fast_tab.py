"""The web app's Fast style tab: lesson 9's homework, a photo in a shipped style in one forward pass,
or in the style of any uploaded painting by the any-painting decoders (``any_painting``)."""

import functools
from pathlib import Path

import gradio as gr

from ..arbitrary.defaults import ALPHA, TRANSFORM, TRANSFORMS
from ..core.errors import NSTError
from ..core.image_io import load_image
from ..core.tiles import MIN_SIDE as NETWORK_MIN_SIDE
from . import any_painting
from .page import DEVICE, RESULT_BUTTONS, download, example, in_page
from .uploads import check_uploads, read_upload, upload

SIZE = 1024
TRANSFORM_NAMES = {"wct": "whitening-colouring", "ot": "optimal transport", "adain": "mean and spread"}


@functools.cache
def _style_model(name):
    from ..fast_style.inference import load_style_model

    return load_style_model(name)


@in_page(clear=(None,))
def fast(photo, style, size, preserve, keep_size=False, painting=None, alpha=ALPHA, transform=TRANSFORM):
    """Lesson 9's homework: the photo in a shipped style, or like an uploaded ``painting`` (moved
    ``alpha`` of the way to its statistics by ``transform``), one forward pass at ``size`` px (never
    enlarged), brought back to the photo's size with ``keep_size``: (a PNG named PHOTO_STYLE.png or
    PHOTO_PAINTING.png, the status line)."""
    from ..fast_style.inference import stylize
    from ..fast_style.options import shipped

    if painting:
        any_painting.decoders(any_painting.PICK_STYLE)  # none shipped: said before the photo is read
        read_upload(painting, "painting", min_side=NETWORK_MIN_SIDE)
    elif style not in shipped():
        raise NSTError(f"pick one of the shipped styles: {', '.join(shipped())}")
    image = read_upload(photo, "photo", min_side=NETWORK_MIN_SIDE)
    size = min(int(size), max(image.shape[:2]))
    net = any_painting.painter(painting, float(alpha), transform) if painting else _style_model(style)
    scale = size / max(image.shape[:2])
    tile = any_painting.tile(*(round(side * scale) for side in image.shape[:2])) if painting else "auto"
    styled = stylize(net, image, size=size, keep_size=bool(keep_size), tile=tile,
                     preserve_color="luminance" if preserve else None)
    return download(styled, f"{Path(photo).stem}_{Path(painting).stem if painting else style}.png"), ""


def _painting_usable(photo, painting, *rest):
    """An uploaded painting is only of use with the decoders: said as it arrives when none ships."""
    if painting:
        any_painting.decoders(any_painting.PICK_STYLE)


def _picked(event: gr.SelectData):
    return event.value["caption"]


@functools.cache
def _sample(name):
    """A style's thumbnail: a scikit-image photo in that style, small."""
    from ..fast_style.inference import stylize

    return stylize(_style_model(name), load_image(example("chelsea.png"), 192))



def tab():
    from ..fast_style.options import shipped

    with gr.Tab("Fast style", id="fast"):
        names = shipped()
        with gr.Row():
            photo = upload(label="photo", elem_id="fast-photo", min_side=NETWORK_MIN_SIDE)
            painting = upload(label="your own painting (instead of a style below: one pass)",
                              elem_id="fast-painting", min_side=NETWORK_MIN_SIDE)
            styled = gr.Image(label="result", format="png", interactive=False, buttons=RESULT_BUTTONS,
                              elem_id="fast-result")
        gallery = gr.Gallery([(_sample(name), name) for name in names], label="styles (click one)",
                             columns=len(names), height="auto", object_fit="contain", allow_preview=False,
                             elem_id="fast-gallery")
        choice = gr.Radio(names, value=names[0], label="style", elem_id="fast-style")
        gallery.select(_picked, None, choice)
        with gr.Row():
            fast_size = gr.Slider(128, 2048, SIZE, step=64, label="working size (longer side, px): "
                                  "the stroke size; photos are never enlarged", elem_id="fast-size")
            fast_preserve = gr.Checkbox(label="keep the photo's colours")
            fast_keep = gr.Checkbox(label="keep the photo's size", elem_id="fast-keep-size")
        with gr.Row():
            alpha = gr.Slider(0, 1, ALPHA, step=0.05, label="your painting's share (0: the photo, 1: the painting)",
                              elem_id="fast-alpha")
            transform = gr.Radio(list(TRANSFORMS), value=TRANSFORM, elem_id="fast-transform",
                                 label="your painting's transform (" + ", ".join(
                                     f"{name}: {TRANSFORM_NAMES[name]}" for name in TRANSFORMS) + ")")
        run_fast = gr.Button("Stylise", variant="primary", elem_id="fast-run")
        status = gr.Markdown(elem_id="fast-status")
        check_uploads([photo, painting], status, also=_painting_usable)
        run_fast.click(fast, [photo, choice, fast_size, fast_preserve, fast_keep, painting, alpha, transform],
                       [styled, status], concurrency_id=DEVICE, concurrency_limit=1)
