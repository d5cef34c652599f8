"""What the web app's tabs share: one device slot (``DEVICE``) for every job that computes, uploads
read by the project's own loader and checked on arrival, user errors as a message in the page
(``in_page``), result downloads in the server's own temporary folder and the examples."""

import atexit
import functools
import inspect
import math
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

import gradio as gr
from PIL import Image

try:
    import fcntl
except ImportError:  # Windows: no left folders are cleared at start
    fcntl = None

from ..core.errors import NSTError
from ..core.image_io import load_image

DEVICE = "device"  # the concurrency group of every job that computes: one at a time
EXAMPLES = (("chelsea.png", "hubble_deep_field.jpg"), ("astronaut.png", "retina.jpg"))  # in scikit-image's data
KEEP_DOWNLOADS_S = 3600
UPLOAD_HEIGHT = 320  # px
RESULT_BUTTONS = ["download", "fullscreen"]

FOLDER_PREFIX = "keras-nst-web-"  # this app's temporary folders, and only they, are cleared at start
LOCK = "server.lock"  # held by the live process that owns its folder
_held = []


@functools.cache
def work_folder():
    """This process's own temporary folder: ``downloads/`` (the results offered for download) and
    ``uploads/`` (Gradio's uploads and cache, ``serve`` points it there); locked while the process
    lives, removed when it exits (Ctrl-C and SIGTERM included), and by the next server's
    ``remove_left_folders`` after a kill -9."""
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    lock = open(folder / LOCK, "w")  # noqa: SIM115  (held open for the process's life)
    if fcntl is not None:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _held.append(lock)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def remove_left_folders():
    """What killed servers left: this app's folders in the temporary folder whose lock no live
    process holds (a folder only seconds old may be a starting server's, not yet locked)."""
    if fcntl is None:
        return
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        lock = folder / LOCK
        try:
            if not lock.is_file() or time.time() - lock.stat().st_mtime < 10:
                continue
            with open(lock) as held:
                fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # held: a live server's; or gone meanwhile
            continue


def page_message(error, uploads):
    """An error's text with uploads named by their file name, not their server path."""
    text = str(error)
    for path in filter(None, uploads):
        text = text.replace(str(path), Path(path).name)
    return text


class Refused:
    """An input that Gradio could not hand over as it is (an unreadable upload, a slider given NaN
    through the API): its message in the page's words, said by the handler in the tab's status line
    (``refuse_marked``), where it stays; raised by Gradio, it would be a pop-up that goes after 10 s
    and leaves bare "Error" badges."""

    def __init__(self, message):
        self.message = message


def refuse_marked(args):
    """The first ``Refused`` input among ``args`` as an ``NSTError``."""
    for arg in args:
        if isinstance(arg, Refused):
            raise NSTError(arg.message)


def log_refused(fn, message):
    """A user error in the server's log: one line (a traceback is for a bug)."""
    print(f"keras-nst serve: {fn.__name__}: {message}", file=sys.stderr, flush=True)


def in_page(fn=None, *, clear=(None, None)):
    """``fn``'s errors in its tab's status line (its last output), in the page's words, where they
    stay until the next action; the other outputs take ``clear`` (a result on screen is always the
    current inputs'). A user error is one line in the server's log, anything else an "internal
    error" with its traceback there: a request never takes the server down. A live tab's job (a
    generator of (image, curve, status)) clears its image and curve only if it fails before its
    first round, and otherwise leaves them as they are."""
    if fn is None:
        return functools.partial(in_page, clear=clear)
    uploads = lambda args: [a for a in args if isinstance(a, str)]

    def said(e, args):
        if isinstance(e, NSTError):
            message = page_message(e, uploads(args))
            log_refused(fn, message)
        else:
            traceback.print_exc()
            message = f"internal error ({type(e).__name__}): {page_message(e, uploads(args))}"
        return f"**{message}**"

    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def stream(*args, **kwargs):
            started = False
            try:
                refuse_marked(args)
                for update in fn(*args, **kwargs):
                    started = True
                    yield update
            except Exception as e:
                yield *((gr.skip(), gr.skip()) if started else clear), said(e, args)

        return stream

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            refuse_marked(args)
            return fn(*args, **kwargs)
        except Exception as e:
            return (*clear, said(e, args)) if clear else said(e, args)

    return call


def upload(*, min_side=None, **kwargs):
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

    image.preprocess = preprocess
    return image


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
                load_image(path, **({"min_side": image.min_side} if image.min_side else {}))
        if also is not None:
            also(*paths)
        return ""

    for image in uploads:
        image.upload(check_upload, uploads, status, concurrency_limit=None, show_progress="hidden")


def read_upload(path, what, size=None, min_side=None):
    if not path:
        raise NSTError(f"upload a {what} first")
    return load_image(path, size, **({"min_side": min_side} if min_side else {}))


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


def download(image, name):
    """``image`` as a PNG for the download button, in this server's own folder (files older than an
    hour go on the next call; the folder goes when the server stops)."""
    downloads = work_folder() / "downloads"
    downloads.mkdir(exist_ok=True)
    for old in downloads.glob("*/*.png"):
        if time.time() - old.stat().st_mtime > KEEP_DOWNLOADS_S:
            shutil.rmtree(old.parent, ignore_errors=True)
    path = Path(tempfile.mkdtemp(dir=downloads)) / Path(name).name
    Image.fromarray(image).save(path)
    return str(path)


def example(name):
    import skimage.data

    return str(Path(skimage.data.__file__).parent / name)


def example_folder():
    """Where the examples lie: the server may hand out files from there."""
    return str(Path(example(EXAMPLES[0][0])).parent)
