"""What the web app's tabs share: one device slot (``DEVICE``) for every job that computes, uploads
read by the project's own loader and checked on arrival, user errors as a message in the page
(``in_page``), result downloads and the examples."""

import functools
import inspect
import shutil
import tempfile
import time
import traceback
from pathlib import Path

import gradio as gr
from PIL import Image

from ..core.errors import NSTError
from ..core.image_io import load_image

DEVICE = "device"  # the concurrency group of every job that computes: one at a time
EXAMPLES = (("chelsea.png", "hubble_deep_field.jpg"), ("astronaut.png", "retina.jpg"))  # in scikit-image's data
KEEP_DOWNLOADS_S = 3600
UPLOAD_HEIGHT = 320  # px
RESULT_BUTTONS = ["download", "fullscreen"]

_DOWNLOADS = Path(tempfile.mkdtemp(prefix="keras-nst-web-"))


def remove_downloads():
    shutil.rmtree(_DOWNLOADS, ignore_errors=True)


def page_message(error, uploads):
    """An error's text with uploads named by their file name, not their server path."""
    text = str(error)
    for path in filter(None, uploads):
        text = text.replace(str(path), Path(path).name)
    return text


def in_page(fn):
    """``fn``'s user errors as a message in the page (``gr.Error``); anything else too, its
    traceback on the server's terminal: a request never takes the server down. A live tab's job (a
    generator of (image, curve, status)) says it in its status line instead, where it stays until
    the next run, and leaves its image and curve as they are."""
    uploads = lambda args: [a for a in args if isinstance(a, str)]

    def fail(e, args):
        if isinstance(e, gr.Error):
            raise e
        if isinstance(e, NSTError):
            raise gr.Error(page_message(e, uploads(args)), print_exception=False) from None
        traceback.print_exc()
        raise gr.Error(f"internal error ({type(e).__name__}): {page_message(e, uploads(args))}",
                       print_exception=False) from None

    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def stream(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except Exception as e:
                try:
                    fail(e, args)
                except gr.Error as error:
                    yield gr.skip(), gr.skip(), f"**{error.message}**"

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
    kwargs.setdefault("height", UPLOAD_HEIGHT)  # a fixed box: an unreadable file no longer collapses it to a strip
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


def read_upload(path, what, size=None, min_side=None):
    if not path:
        raise NSTError(f"upload a {what} first")
    return load_image(path, size, **({"min_side": min_side} if min_side else {}))


@in_page
def _check_upload(path, min_side=None):
    """An upload read at once, so a bad one is a message when it arrives, not after pressing the button."""
    if path:
        load_image(path, **({"min_side": min_side} if min_side else {}))


def download(image, name):
    """``image`` as a PNG for the download button, in this server's own folder (files older than an
    hour go on the next call; the folder goes when the server stops)."""
    for old in _DOWNLOADS.glob("*/*.png"):
        if time.time() - old.stat().st_mtime > KEEP_DOWNLOADS_S:
            shutil.rmtree(old.parent, ignore_errors=True)
    path = Path(tempfile.mkdtemp(dir=_DOWNLOADS)) / Path(name).name
    Image.fromarray(image).save(path)
    return str(path)


def example(name):
    import skimage.data

    return str(Path(skimage.data.__file__).parent / name)


def example_folder():
    """Where the examples lie: the server may hand out files from there."""
    return str(Path(example(EXAMPLES[0][0])).parent)
