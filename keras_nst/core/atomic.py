"""Atomic writes: outputs (images, grids, the weights cache) appear whole or not at all, and the
folders made for them go again when a run stops before writing into them.

A command's outputs never replace a file unless asked (``replace=False``): the finished temporary
file is hard-linked to its final name, which fails if that name exists, so of two runs started
together writing one name, exactly one wins and the other is told, never a silent overwrite that a
check-then-rename would allow."""

import contextlib
import errno
import glob
import os
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; runs are not kept apart there
    fcntl = None

# what a full disk, a read-only or quota-bound file system, or a folder without write permission raise
WRITE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT, errno.EPERM}
NAME_MAX = 255  # bytes in one file name: ext4, APFS, NTFS (as UTF-16 units) alike
STALE_AFTER = 5  # s: an unheld temporary file this old was left by a killed run


def shortened(stem, room):
    """``stem`` cut to at most ``room`` bytes of UTF-8 (whole characters): for the names this tool
    makes, which must fit wherever the name they come from fits."""
    return stem.encode()[:max(room, 1)].decode(errors="ignore")


def current_umask():
    """The process' umask (reading it means setting it: set it straight back)."""
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _create(tmp, path):
    """Give the finished ``tmp`` the name ``path`` only if no file has it (``FileExistsError`` if one
    does): a hard link is one atomic step; where links are not supported (FAT, some network shares),
    the name is claimed with ``O_EXCL`` and the file renamed onto the claim."""
    try:
        os.link(tmp, path)
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EMLINK, errno.EXDEV):
            raise
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        os.replace(tmp, path)


@contextlib.contextmanager
def atomic_path(path, *, replace=True):
    """Yield a temporary path beside ``path``; on success it becomes ``path`` in one step: a rename
    that replaces any file there, or with ``replace=False`` an exclusive create that raises
    ``FileExistsError`` if ``path`` exists by then. A write that fails for want of room or permission
    is raised as that ``OSError`` naming ``path`` itself (not the temporary file) and the system's
    words for the cause, which the command lines report in one line; the temporary file goes."""
    path = Path(path)
    tmp = fd = None
    done = False
    try:
        clear_stale(path)
        prefix, suffix = _temporary(path)
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
        if fcntl is None:
            os.close(fd)
            fd = None
        else:  # held while it is written, so that a later run clears it only once its writer is gone; a
            # record lock, which HDF5's own flock on the file it writes does not meet
            fcntl.lockf(fd, fcntl.LOCK_EX)
        yield tmp
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600 files; give the usual permissions
        if replace:
            os.replace(tmp, path)
        else:
            _create(tmp, path)
        done = True
    except OSError as e:
        if e.errno in WRITE_ERRNOS:  # HDF5's own text for the cause spans lines
            raise OSError(e.errno, os.strerror(e.errno), str(path)) from None
        raise
    finally:
        if fd is not None:
            os.close(fd)
        if tmp is not None and os.path.exists(tmp):
            if not done:
                # emptied first: a writer that failed half-way may hold the file open still, HDF5 until
                # the exception that holds its objects is gone, then closes it writing its last blocks;
                # on a full disk that close failed too and left HDF5 to crash the process at exit
                with contextlib.suppress(OSError):
                    os.truncate(tmp, 0)
            os.unlink(tmp)


def _temporary(path):
    """``atomic_path``'s temporary names for ``path``: ".STEM." + mkstemp's 8 characters + the
    suffix, the stem shortened so that the temporary name fits whenever the final one does."""
    suffix = "".join(path.suffixes[-2:])
    return f".{shortened(path.stem, NAME_MAX - 10 - len(suffix.encode()))}.", suffix


def leftovers(path):
    """The temporary files of ``atomic_path(path)`` that a killed run (SIGKILL, power loss) left."""
    prefix, suffix = _temporary(Path(path))
    return sorted(Path(path).parent.glob(glob.escape(prefix) + "?" * 8 + glob.escape(suffix)))


def clear_stale(path):
    """Remove the temporary files of ``atomic_path(path)`` that a killed run left (SIGKILL, power
    loss): those no writer holds, a few seconds old. A kill releases the writer's lock, so a run
    that is writing the same name now keeps its file (the writer's own library closing the file lets
    the lock go too, but the file is then seconds old at most)."""
    if fcntl is None:
        return
    for tmp in leftovers(path):
        try:
            fd = os.open(tmp, os.O_RDWR)  # a record lock wants the file open for writing
        except OSError:
            continue
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if time.time() - os.fstat(fd).st_mtime > STALE_AFTER:  # not one made a moment ago, not yet locked
                os.unlink(tmp)
        except OSError:
            pass  # held: another run is writing it
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_dir(path, *, replace=True):
    """``atomic_path`` for an output that is a folder (a SavedModel): yield an empty temporary folder
    beside ``path``, which on success becomes ``path``. ``replace=False``: the name is claimed first by
    making an empty folder (``FileExistsError`` if anything has it), which the finished one is renamed
    onto in one step; ``replace=True``: a folder there already is moved aside, then removed."""
    import shutil

    path = Path(path)
    tmp = None
    try:
        tmp = tempfile.mkdtemp(prefix=f".{shortened(path.name, NAME_MAX - 10)}.", dir=path.parent)
        yield tmp
        os.chmod(tmp, 0o777 & ~current_umask())  # mkdtemp makes 0700 folders; give the usual permissions
        if not replace:
            path.mkdir()
        elif path.is_dir():
            old = tempfile.mkdtemp(prefix=f".{shortened(path.name, NAME_MAX - 10)}.", dir=path.parent)
            os.replace(path, old)  # onto its own empty folder: the old one stays whole until the new one is in
            shutil.rmtree(old, ignore_errors=True)
        os.replace(tmp, path)  # onto a missing name or the empty claim
    except OSError as e:
        if e.errno in WRITE_ERRNOS:
            raise OSError(e.errno, e.strerror, str(path)) from None
        raise
    finally:
        if tmp is not None and os.path.exists(tmp):
            shutil.rmtree(tmp, ignore_errors=True)


_MADE = []  # folders made for this process' outputs, newest last


def output_dir(folder):
    """``folder``, made for a run's outputs if it is not there (its parent must be): a run that then
    stops before writing into it takes it back (``remove_unused_dirs``), leaving nothing behind."""
    folder = Path(folder)
    if not folder.is_dir():
        folder.mkdir()
        _MADE.append(folder)
    return folder


def numbered(name, n, suffix=""):
    """The n-th name a default output tries: ``name``, then ``name-1``, ``name-2``, ..., its stem
    shortened where the whole would be too long a file name (a long photo name's default output)."""
    name = Path(name)
    tail = f"-{n}{suffix}" if n else suffix
    return name.with_name(shortened(name.name, NAME_MAX - len(tail.encode())) + tail)


def fresh_dir(name):
    """A new folder ``name`` (or ``name-1``, ...) for a run's outputs, made exclusively: two runs
    started together get one each. Taken back like ``output_dir``'s if the run writes nothing."""
    n = 0
    while True:
        folder = numbered(name, n)
        try:
            folder.mkdir()
        except FileExistsError:
            n += 1
            continue
        _MADE.append(folder)
        return folder


def remove_unused_dirs():
    """Remove the folders ``output_dir`` made that are still empty."""
    while _MADE:
        with contextlib.suppress(OSError):  # not empty: the run wrote into it, so it stays
            _MADE.pop().rmdir()


_HELD = {}  # folders this process runs in alone -> the descriptor that holds the lock


def hold_dir(folder):
    """Make ``folder`` if need be and hold it for this process alone: an exclusive lock on the folder
    itself, which the system lets go of when the process ends however it ends (a kill -9 too), so no
    stale lock is ever left behind. Raises ``BlockingIOError`` while another process holds it; held
    already by this process, it stays held. Made here, it goes like ``output_dir``'s if left empty."""
    folder = Path(folder)
    key = os.path.abspath(folder)
    while True:
        made = False
        if key not in _HELD:
            try:
                folder.mkdir()
                made = True
            except FileExistsError:
                pass
            if fcntl is None:
                return folder
            fd = os.open(folder, os.O_RDONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise
            _HELD[key] = fd
        try:
            if os.path.samestat(os.fstat(_HELD[key]), os.stat(folder)):
                if made:
                    _MADE.append(folder)
                return folder
        except FileNotFoundError:
            pass
        release_dir(folder)  # another run took the folder back while this one opened it: the one there now


def held_elsewhere(folder):
    """Whether another process holds ``folder`` (``hold_dir``) now: a look before the work, which
    ``hold_dir`` then makes sure of."""
    if fcntl is None or os.path.abspath(folder) in _HELD or not os.path.isdir(folder):
        return False
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # and with it the lock, if it got it
    return False


def release_dir(folder):
    """Let go of a folder ``hold_dir`` held (nothing if it holds none)."""
    fd = _HELD.pop(os.path.abspath(folder), None)
    if fd is not None:
        os.close(fd)


def release_dirs():
    """Let go of every folder this process holds."""
    for key in list(_HELD):
        release_dir(key)
