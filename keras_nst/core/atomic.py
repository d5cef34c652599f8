"""Atomic writes: outputs (images, grids, the weights cache) appear whole or not at all, and the
folders made for them go again when a run stops before writing into them."""

import contextlib
import errno
import os
import tempfile
from pathlib import Path

# what a full disk, a read-only or quota-bound file system, or a folder without write permission raise
WRITE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT, errno.EPERM}


def current_umask():
    """The process' umask (reading it means setting it: set it straight back)."""
    umask = os.umask(0)
    os.umask(umask)
    return umask


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename. A write
    that fails for want of room or permission is raised as that ``OSError`` naming ``path`` itself
    (not the temporary file), which the command lines report in one line; the temporary file goes."""
    path = Path(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix="".join(path.suffixes[-2:]), dir=path.parent)
        os.close(fd)
        yield tmp
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600 files; give the usual permissions
        os.replace(tmp, path)
    except OSError as e:
        if e.errno in WRITE_ERRNOS:
            raise OSError(e.errno, e.strerror, str(path)) from None
        raise
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


_MADE = []  # folders made for this process' outputs, newest last


def output_dir(folder):
    """``folder``, made for a run's outputs if it is not there (its parent must be): a run that then
    stops before writing into it takes it back (``remove_unused_dirs``), leaving nothing behind."""
    folder = Path(folder)
    if not folder.is_dir():
        folder.mkdir()
        _MADE.append(folder)
    return folder


def remove_unused_dirs():
    """Remove the folders ``output_dir`` made that are still empty."""
    while _MADE:
        with contextlib.suppress(OSError):  # not empty: the run wrote into it, so it stays
            _MADE.pop().rmdir()
