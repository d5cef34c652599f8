"""What the web app's tabs share: one device slot (``DEVICE``) for every job that computes, user
errors as a message in the page (``in_page``; an input Gradio could not hand over as ``Refused``),
the server's own temporary folder, result downloads there, and the examples. The uploads
themselves: ``uploads``."""

import atexit
import functools
import inspect
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

DEVICE = "device"  # the concurrency group of every job that computes: one at a time
EXAMPLES = (("chelsea.png", "hubble_deep_field.jpg"), ("astronaut.png", "retina.jpg"))  # in scikit-image's data
KEEP_DOWNLOADS_S = 3600
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
