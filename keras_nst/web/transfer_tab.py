"""The web app's Style transfer tab: lesson 8's photo painted by L-BFGS, a preview and the loss
after every round, Stop keeping the last round. Where the any-painting decoders ship, the rounds
start from the one-pass picture (``any_painting``), shown at once, instead of the course's noise."""

from pathlib import Path

import gradio as gr

from ..transfer.defaults import CONTENT_WEIGHT, TV_WEIGHT
from . import any_painting
from .live import live_panel, watch
from .page import EXAMPLES, example, in_page
from .uploads import check_uploads, read_upload, upload

SIZE = 384  # the default size (longer side, px): a preview every few seconds on a GPU
MAX_SIZE = 1024


@in_page
def transfer(content, style, size, rounds, content_weight, style_scale, tv_weight, preserve, start=None,
             request: gr.Request = None, progress=gr.Progress()):  # noqa: B008  (Gradio finds its bar by this default)
    """Lesson 8: the photo painted by L-BFGS from ``start`` (``any_painting.STARTS``; default: the
    one-pass picture where the decoders ship, else noise), yielding (image, loss curve, status):
    the one-pass picture first, then each round."""
    from ..core import memory
    from ..core.errors import check_weight
    from ..core.vgg import BYTES_PER_PIXEL
    from ..transfer import experiments as ex

    size, rounds = int(size), int(rounds)
    photo = read_upload(content, "photo", size)
    painting = read_upload(style, "painting", max(32, round(size * float(style_scale))))
    check_weight(content_weight, "content weight")
    check_weight(tv_weight, "TV weight")
    memory.check_images([(1, *photo.shape)], BYTES_PER_PIXEL)
    one_pass = None
    if (start or any_painting.default_start()) == any_painting.ONE_PASS:
        any_painting.decoders(any_painting.START_FROM_NOISE)  # none shipped: said before anything is computed
        one_pass = lambda: any_painting.one_pass(photo, style)  # noqa: E731
    run = lambda callback, first=None: ex.style_transfer(
        photo, painting, size=size, iters=rounds, content_weight=float(content_weight), tv_weight=float(tv_weight),
        style_scale=float(style_scale), preserve_color="luminance" if preserve else None,
        init="noise" if first is None else first[None], callback=lambda i, x, loss: callback(i + 1, x, loss))
    yield from watch(run, rounds, request, progress, "transfer", f"{Path(content).stem}_{Path(style).stem}.png",
                     title="loss after each round", start=one_pass)


def tab():
    with gr.Tab("Style transfer", id="transfer"):
        with gr.Row():
            content = upload(label="photo", elem_id="transfer-photo")
            style = upload(label="painting", elem_id="transfer-painting")
        gr.Examples([[example(c), example(s)] for c, s in EXAMPLES], [content, style])
        with gr.Row():
            size = gr.Slider(64, MAX_SIZE, SIZE, step=32, label="size (longer side, px)",
                             elem_id="transfer-size")
            rounds = gr.Slider(1, 30, 10, step=1, label="L-BFGS rounds (20 evaluations each)",
                               elem_id="transfer-rounds")
            start = gr.Radio(list(any_painting.STARTS), value=any_painting.default_start(), elem_id="transfer-start",
                             label="start from (one pass: the painting's one-pass picture, refined; noise: the "
                                   "course's)")
        with gr.Accordion("artistic controls", open=False):
            with gr.Row():
                content_weight = gr.Number(CONTENT_WEIGHT, label="content weight (lower: more style)")
                style_scale = gr.Slider(0.25, 2.0, 1.0, step=0.05, label="style scale (larger: larger strokes)")
                tv_weight = gr.Number(TV_WEIGHT, label="total variation (higher: smoother)")
                preserve = gr.Checkbox(label="keep the photo's colours")
        _, status = live_panel("transfer", "Paint", "loss after each round", transfer,
                               [content, style, size, rounds, content_weight, style_scale, tv_weight, preserve, start])
        check_uploads([content, style], status)
