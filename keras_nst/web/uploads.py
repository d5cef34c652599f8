"""The web app's uploads and fields, checked as they arrive: images read by the project's own
loader (as on the command line: 16-bit, greyscale, transparency, EXIF rotation), files over the
page's size limit and numbers outside their slider said in the tab's status line (``Refused``),
never as Gradio's pop-up."""

import math
from pathlib import Path

import gradio as gr

from ..core.errors import NSTError
from ..core.image_io import MIN_SIDE, load_image
from .page import Refused, in_page, refuse_marked

UPLOAD_HEIGHT = 320  # px
MAX_UPLOAD_MB = 25  # a larger file is refused in the tab's status line
# Gradio's own cap, far above MAX_UPLOAD_MB: what it refuses gets only its pop-up, so it is the
# backstop against a runaway upload, not the rule
GRADIO_MAX_UPLOAD = "1gb"


def upload(*, min_side=MIN_SIDE, **kwargs):
    """An image upload handed to the handlers as the uploaded file itself (``image_mode=None``: no
    conversion by Gradio, so 16-bit, greyscale and transparent files reach the project's own loader,
    as on the command line), read again on arrival by ``check_uploads`` (``min_side`` px at least).
    Gradio's own decoding (``preprocess``) runs before any handler: a file it cannot read (a text
    file named .jpg) reaches the handler as ``Refused``, said in the tab's status line. Wrapped on
    the instance: a subclass of a Gradio component makes Gradio write a .pyi file beside this module."""
    kwargs.setdefault("height", UPLOAD_HEIGHT)  # a fixed box: an unreadable file no longer collapses it to a strip
    image = gr.Image(type="filepath", sources=["upload"], image_mode=None, **kwargs)
    image.min_side = min_side
    decode = image.preprocess

    def preprocess(payload):
        try:
            return decode(payload)
        except Exception as e:
            path = getattr(payload, "path", None)
            name = getattr(payload, "orig_name", None) or (Path(path).name if path else image.label)
            reason = str(e).replace(str(path), name) if path else str(e)
            return Refused(f"{name}: not an image this app can read ({reason})")

    image.preprocess = _capped(preprocess)
    return image


def _capped(preprocess):
    """``preprocess`` behind the page's own size limit, so that a file over ``MAX_UPLOAD_MB`` is
    ``Refused`` in the tab's words before it is decoded (Gradio's own limit speaks in a pop-up)."""

    def check(payload):
        path = getattr(payload, "path", None)
        mb = Path(path).stat().st_size / 2**20 if path and Path(path).is_file() else 0
        if mb > MAX_UPLOAD_MB:
            name = getattr(payload, "orig_name", None) or Path(path).name
            return Refused(f"{name}: {mb:.0f} MB; the page takes files up to {MAX_UPLOAD_MB} MB: make it smaller, "
                           "or use the command line")
        return preprocess(payload)

    return check


def check_uploads(uploads, status, also=None):
    """A tab's uploads read as soon as one arrives, so that a bad one is said when it arrives, not
    after pressing the button: the first problem in the tab's status line, which a good set clears;
    ``also(*paths)`` then checks what the tab needs beyond readable files (raising ``NSTError``).
    Queued (in no group: never behind a running job)."""

    @in_page(clear=())
    def check_upload(*paths):
        for image, path in zip(uploads, paths):
            refuse_marked([path])
            if path:
                load_image(path, min_side=image.min_side)
        if also is not None:
            also(*paths)
        return ""

    for image in uploads:
        image.upload(check_upload, uploads, status, concurrency_limit=None, show_progress="hidden")


def read_upload(path, what, size=None, min_side=MIN_SIDE):
    if not path:
        raise NSTError(f"upload a {what} first")
    return load_image(path, size, min_side=min_side)


def number_inputs(blocks):
    """Every slider's and number box's value checked before a handler sees it: a finite number in
    the slider's range (Gradio's own check lets NaN through and names no field), else ``Refused``,
    naming the field by its label; a choice likewise."""
    for component in blocks.blocks.values():
        if isinstance(component, (gr.Slider, gr.Number, gr.Radio)) and component.interactive is not False:
            component.preprocess = _checked(component, component.preprocess)


def _checked(component, preprocess):
    label = component.label

    def check(payload):
        if isinstance(component, gr.Radio):
            choices = [value for _, value in component.choices]
            if payload not in choices:
                return Refused(f"{label}: {payload!r} is not one of {', '.join(map(repr, choices))}")
        elif isinstance(payload, bool) or not isinstance(payload, (int, float)) or not math.isfinite(payload):
            return Refused(f"{label}: {'empty' if payload is None else repr(payload)} is not a number"
                           + (f"; give one from {component.minimum:g} to {component.maximum:g}"
                              if isinstance(component, gr.Slider) else ""))
        elif isinstance(component, gr.Slider) and not component.minimum <= payload <= component.maximum:
            return Refused(f"{label}: {payload:g} is outside the slider's {component.minimum:g} to "
                           f"{component.maximum:g}")
        return preprocess(payload)

    return check
