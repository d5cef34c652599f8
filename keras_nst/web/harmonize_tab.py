"""The web app's Harmonize tab: the 2018 lesson's project, an object painted into a painting in
two passes, watched round by round as the style transfer tab."""

from pathlib import Path

import gradio as gr

from ..core.errors import NSTError
from ..core.image_io import MIN_SIDE, load_image
from ..harmonization.defaults import HARMONIZE_ITERS, STYLE_LEVEL, STYLE_LEVELS
from .live import live_panel, watch
from .page import download, in_page
from .transfer_tab import MAX_SIZE
from .uploads import read_upload, upload

SIZE = 400  # the default size: two passes in a few minutes on a CPU
MODES = ("an object to place", "the composite (the painting with the object pasted in)")
HARMONIZE_MODES = MODES
OBJECT_MIN_SIDE = 1  # px: a cut-out or a mask may be tiny; the painting has the loader's minimum


def _inputs(painting, second, mask, mode, x, y, scale, size):
    """(painting, composite, object's region) at ``size`` from the tab's uploads and sliders; a
    problem is an ``NSTError`` in the page's own words."""
    from ..core.image_io import load_mask
    from ..harmonization.inputs import check_composite, check_mask, compose, read_object

    art = read_upload(painting, "painting", int(size))
    if mode == MODES[0]:
        if not second:
            raise NSTError("upload the object first")
        obj = read_object(second, mask or None, mask_name="the object's mask",
                          hint="or the object's mask beside it")
        h, w = art.shape[:2]
        words = {"at": f"the object's centre at {float(x):g} % across, {float(y):g} % down",
                 "scale": f"the object's size {float(scale):g}", "object": f"the object ({Path(second).name})"}
        composite, region = compose(art, obj, at=(round(float(x) / 100 * w), round(float(y) / 100 * h)),
                                    scale=float(scale) * max(h, w) / max(obj.shape[:2]), words=words)
    else:
        composite = check_composite(art, read_upload(second, "composite", int(size)),
                                    f"{Path(second).name} at this size")
        if not mask:
            raise NSTError("upload the object's mask (white on black) beside the composite")
        region = load_mask(mask, composite.shape, "the object's mask")
    check_mask(region, "the object's mask")
    return art, composite, region


@in_page(clear=(None,))
def preview(painting, second, mask, mode, x, y, scale, size):
    """Where the object will land, before anything is computed: the composite, or a word on what is
    wrong in the status line, the result box cleared (an earlier composite is not this placement's).
    Also what reads the uploads on arrival: until painting and object are both there, each one
    present is checked alone. The composite goes to the page as a file of its own (``download``):
    as an array, Gradio would rewrite its cached copy of a repeated composite in place, under the
    feet of the browser still fetching it ("Too much data for declared Content-Length")."""
    if not (painting and second):
        for path, min_side in ((painting, MIN_SIDE), (second, OBJECT_MIN_SIDE), (mask, OBJECT_MIN_SIDE)):
            if path:
                load_image(path, min_side=min_side)
        return gr.skip(), ""
    composite = _inputs(painting, second, mask, mode, x, y, scale, size)[1]
    return download(composite, f"{Path(painting).stem}_composite.png"), "the composite: Harmonize paints it in"


def placing(mode):
    """The placement sliders take part only for an object to place."""
    return [gr.update(interactive=mode == MODES[0])] * 3


@in_page
def harmonize(painting, second, mask, mode, x, y, scale, size, rounds, level, request: gr.Request,
              progress=gr.Progress()):  # noqa: B008  (Gradio finds its bar by this default)
    """The 2018 lesson's project: an object painted into a painting in two passes, yielding (image,
    loss curve, status) each round. ``mode``: ``second`` is an object to place (at ``x``, ``y`` % of
    the painting, ``scale`` x its size; its transparency, or ``mask``, marks it) or the composite
    (the painting with the object pasted in; ``mask`` marks it)."""
    from ..core import memory
    from ..core.vgg import BYTES_PER_PIXEL
    from ..harmonization.passes import harmonize as run_harmonize

    rounds = int(rounds)
    art, composite, region = _inputs(painting, second, mask, mode, x, y, scale, size)
    memory.check_images([(1, *composite.shape)], BYTES_PER_PIXEL)
    run = lambda callback: run_harmonize(art, composite, region, iters=rounds, style_level=int(level),
                                         callback=lambda i, x, loss, stage: callback((stage - 1) * rounds + i + 1,
                                                                                     x, loss))
    yield from watch(run, 2 * rounds, request, progress, "harmonize", f"{Path(painting).stem}_harmonized.png",
                     title="loss after each round (both passes)", stage=lambda i: f" (pass {1 + (i - 1) // rounds})",
                     second=rounds + 1)


def tab():
    with gr.Tab("Harmonize", id="harmonize"):
        with gr.Row():
            h_painting = upload(label="painting (without the object)", elem_id="harmonize-painting")
            h_object = upload(label="object (a cut-out with transparency) or composite", elem_id="harmonize-object",
                              min_side=OBJECT_MIN_SIDE)
            h_mask = upload(label="mask (white = the object; optional for a cut-out)", elem_id="harmonize-mask",
                            min_side=OBJECT_MIN_SIDE)
        h_mode = gr.Radio(list(MODES), value=MODES[0], label="the second image is",
                          elem_id="harmonize-mode")
        with gr.Row():
            h_x = gr.Slider(0, 100, 50, step=1, label="object's centre: across (%)", elem_id="harmonize-x")
            h_y = gr.Slider(0, 100, 60, step=1, label="object's centre: down (%)", elem_id="harmonize-y")
            h_scale = gr.Slider(0.05, 1.0, 0.4, step=0.01, label="object's size (share of the painting)",
                                elem_id="harmonize-scale")
        with gr.Row():
            h_size = gr.Slider(64, MAX_SIZE, SIZE, step=32, label="size (longer side, px)",
                               elem_id="harmonize-size")
            h_rounds = gr.Slider(1, 20, HARMONIZE_ITERS, step=1, label="L-BFGS rounds per pass",
                                 elem_id="harmonize-rounds")
            h_level = gr.Slider(min(STYLE_LEVELS), max(STYLE_LEVELS), STYLE_LEVEL, step=1,
                                label="style level (1: barely painted, 10: painted over)",
                                elem_id="harmonize-level")
        placement = [h_painting, h_object, h_mask, h_mode, h_x, h_y, h_scale, h_size]
        result, status = live_panel("harmonize", "Harmonize", "loss after each round (both passes)", harmonize,
                                    [*placement, h_rounds, h_level])
        for part in placement:  # the composite as soon as painting, object and placement are set
            part.change(preview, placement, [result, status], queue=False, show_progress="hidden")
        h_mode.change(placing, h_mode, [h_x, h_y, h_scale], queue=False)
