"""Images in and out: whatever a user hands us becomes RGB uint8, and outputs are written atomically.

The lesson loads Starry Night from Wikipedia at 30 000 px: JPEGs are decoded already scaled down
(Pillow's ``draft``), so huge photos never reach memory at full size. Grayscale, palette, RGBA, CMYK,
16-bit and EXIF-rotated images are converted; so are photos tagged with another colour space
(Display P3, Adobe RGB: littleCMS via Pillow's ImageCms), since VGG16 learned from sRGB numbers and
every output is written untagged, i.e. sRGB. Missing, corrupt, tiny and undecodably huge files stop
with one line naming the file. The commands that apply a trained network to a picture
(``upscale``, ``fast-stylize``) keep its transparency (``load_with_alpha``, ``save_image(alpha=)``).
"""

import contextlib
import functools
import io
import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from scipy import ndimage

from .atomic import NAME_MAX, atomic_path, fresh_dir, numbered, output_dir, shortened
from .defaults import LOSSY_SAVE
from .errors import NSTError

MIN_SIDE = 32  # below this VGG16's deeper layers see a pixel or two: nothing to transfer
MAX_DECODE_PIXELS = 100_000_000  # ~300 MB as RGB; larger images must be JPEGs we can draft-decode


# Pillow formats that keep an alpha channel when written; the others get transparent areas made white
ALPHA_FORMATS = {"PNG", "WEBP", "TIFF", "TGA", "JPEG2000", "SGI", "QOI"}
TRANSPARENT_MODES = ("RGBA", "LA", "PA", "RGBa", "La")
EXTENSIONS = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm"}


def find_images(folder):
    """Image files under ``folder`` (by extension, any case, recursively), sorted."""
    return sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in EXTENSIONS and p.is_file())


def fit(width, height, size, shorter=False):
    """(w, h) with the longer (or ``shorter``) side ``size`` and the aspect ratio kept."""
    scale = size / (min if shorter else max)(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


@contextlib.contextmanager
def _huge_images_allowed():
    # Pillow refuses >178 Mpx at open; we guard memory ourselves (draft, MAX_DECODE_PIXELS) instead.
    old = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = old


@functools.cache
def _srgb():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(im):
    """``im`` with its colours converted to sRGB when it carries an ICC profile of another space:
    the same numbers mean more saturated colours in Display P3 or Adobe RGB, and read as sRGB a
    photo from a recent phone comes out dull. A profile that cannot be used leaves the numbers as
    they are (what every viewer without colour management shows)."""
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK"):
        return im
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(profile).lower():
            return im  # sRGB already: converting would only round
        return ImageCms.profileToProfile(im, profile, _srgb(), outputMode="RGBA" if im.mode == "RGBA" else "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return im


def _has_alpha(im):
    return im.mode in TRANSPARENT_MODES or "transparency" in im.info


def _rgb(im):
    if im.mode.startswith(("I", "F")):  # 16-bit or float grayscale: Pillow's convert would clip
        a = np.asarray(im, dtype=np.float32)
        if a.max() > 255:
            a = a / 257.0
        return Image.fromarray(np.clip(a, 0, 255).round().astype(np.uint8)).convert("RGB")
    if _has_alpha(im):
        rgba = im.convert("RGBA")  # transparent areas become white, as a viewer shows them
        return Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert("RGB")
    return im.convert("RGB")


def _open(path, min_side):
    """The image file at ``path``, opened lazily (its header read, nothing decoded), or a one-line
    error: missing, a folder, not an image, or smaller than ``min_side`` px on a side."""
    if not path.exists():
        if path.is_symlink():
            raise NSTError(f"{path}: a symbolic link that leads nowhere (broken, or a loop)")
        raise NSTError(f"{path}: no such file")
    if path.is_dir():
        raise NSTError(f"{path}: is a directory, not an image")
    try:
        with _huge_images_allowed():
            im = Image.open(path)
    except UnidentifiedImageError:
        raise NSTError(f"{path}: not an image (or a format Pillow cannot read)") from None
    except OSError as e:
        raise NSTError(f"{path}: cannot be read ({e})") from None
    w, h = im.size
    if min(w, h) < min_side:
        im.close()
        raise NSTError(f"{path}: image is {w}x{h} px, too small; at least {min_side} px on each side needed")
    return im


def _check_decodable(path, im, scaled, w, h):
    """A one-line error if decoding ``im`` (a w x h image, JPEG-drafted when ``scaled``) would take too
    much memory."""
    if im.size[0] * im.size[1] > MAX_DECODE_PIXELS:
        hint = ("only JPEGs are decoded scaled down: save it as JPEG or shrink it first"
                if scaled and im.format != "JPEG" else "this command needs it whole: shrink it first")
        raise NSTError(f"{path}: image is {w}x{h} px, too large to decode in memory "
                       f"(over {MAX_DECODE_PIXELS // 10**6} Mpx); {hint}")


def check_image(path, min_side=MIN_SIDE):
    """What ``load_image(path, min_side=min_side)`` would refuse, from the file's header alone: lets a
    command that reads many files stop before its first output, not at the bad file. (A file whose
    header is sound but whose data is truncated is still found only when decoded.)"""
    path = Path(path)
    with _open(path, min_side) as im:
        _check_decodable(path, im, False, *im.size)
    return path


def load_image(path, size=None, *, shorter=False, square=False, grow=True, min_side=MIN_SIDE):
    """Read ``path`` as an RGB uint8 array; with ``size``, resized so its longer side is ``size``.

    ``shorter=True`` sizes the shorter side instead; ``square=True`` returns the centre square of
    side ``size`` (the shorter side sized, in one resampling); ``grow=False`` never enlarges the image
    (super-resolution training crops); ``min_side`` is the smallest usable side.
    """
    shorter = shorter or square
    path = Path(path)
    with _open(path, min_side) as im:
        w, h = im.size
        if size and not grow:
            size = min(size, (min if shorter else max)(w, h))
        if size:
            im.draft("RGB", fit(w, h, size, shorter))  # JPEG only: decode at 1/2, 1/4 or 1/8 scale
        _check_decodable(path, im, bool(size), w, h)
        im = _rgb(_decoded(path, im))
    if size:
        im = _resized(im, size, shorter, square)
        if min(im.size) < min_side:
            raise NSTError(f"{path}: at --size {size} the image would be {im.size[0]}x{im.size[1]} px; "
                           f"at least {min_side} px on each side needed: use a larger --size")
    return np.asarray(im)


def _decoded(path, im):
    """``im`` (opened) decoded, turned upright by its EXIF orientation and in sRGB."""
    try:
        im.load()
        return _to_srgb(ImageOps.exif_transpose(im))  # this order: converted colours have no EXIF left
    except (OSError, SyntaxError, ValueError) as e:
        raise NSTError(f"{path}: corrupt or truncated image ({e})") from None


def load_with_alpha(path, *, min_side=MIN_SIDE):
    """(RGB uint8 array, alpha uint8 array or None) of the image at ``path``, whole: alpha only when
    some pixel is not opaque. The colour of a wholly transparent pixel is whatever the drawing
    program left (often black); it is replaced by the nearest visible pixel's, so that a network or
    filter reaching across the edge of a shape does not pull a dark fringe into it."""
    path = Path(path)
    with _open(path, min_side) as im:
        _check_decodable(path, im, False, *im.size)
        im = _decoded(path, im)
        if not _has_alpha(im):
            return np.asarray(_rgb(im)), None
        rgba = np.asarray(im.convert("RGBA"))
    rgb, alpha = rgba[..., :3], rgba[..., 3]
    if alpha.min() == 255:
        return np.ascontiguousarray(rgb), None
    hidden = alpha == 0
    if hidden.any() and not hidden.all():
        nearest = ndimage.distance_transform_edt(hidden, return_distances=False, return_indices=True)
        rgb = rgb[nearest[0], nearest[1]]
    return np.ascontiguousarray(rgb), np.ascontiguousarray(alpha)


def load_mask(path, shape, what="--mask"):
    """A mask image as (h, w) floats 0-1 (white 1), resized to ``shape`` (h, w); a one-line error
    when its aspect ratio differs from the image it masks by more than 2 %."""
    mask = load_image(path, min_side=1)
    h, w = shape[:2]
    mh, mw = mask.shape[:2]
    if abs(mw / mh - w / h) > 0.02 * (w / h):
        raise NSTError(f"{path}: {what} is {mw}x{mh} px, aspect ratio {mw / mh:.3f}; the image it masks is "
                       f"{w}x{h} ({w / h:.3f}): make the mask the same shape")
    grey = Image.fromarray(mask).convert("L").resize((w, h), Image.BILINEAR)
    return np.asarray(grey, "float32") / 255


def mask_at(mask, shape, what="--mask"):
    """A mask (path, or array 0-1 or 0-255) as (h, w) floats 0-1 at the output's ``shape``."""
    if isinstance(mask, np.ndarray):
        m = mask.astype("float32") / (255.0 if mask.max() > 1 else 1.0)
        if abs(m.shape[1] / m.shape[0] - shape[1] / shape[0]) > 0.02 * shape[1] / shape[0]:
            raise NSTError(f"{what}: a {m.shape[1]}x{m.shape[0]} mask for a {shape[1]}x{shape[0]} image: make the "
                           "mask the same shape")
        return np.asarray(Image.fromarray(m[..., 0] if m.ndim == 3 else m, "F").resize(shape[::-1], Image.BILINEAR))
    return load_mask(mask, shape, what)


def sized_shape(path, size):
    """(h, w, 3) that ``load_image(path, size)`` will return, from the file's header alone (no
    decoding), so memory can be checked before anything large is made."""
    try:
        with _huge_images_allowed(), Image.open(path) as im:
            w, h = im.size
            if (im.getexif() or {}).get(0x0112, 1) in (5, 6, 7, 8):  # EXIF rotation by 90 degrees
                w, h = h, w
    except (OSError, UnidentifiedImageError):
        return None  # load_image reports it properly
    w, h = fit(w, h, size) if size else (w, h)
    return h, w, 3


def _resized(im, size, shorter=False, square=False):
    if square:  # the centre square straight from the decoded image: one filter pass, not resize then crop
        w, h = im.size
        side = min(w, h)
        x, y = (w - side) // 2, (h - side) // 2
        return im.resize((size, size), Image.LANCZOS, box=(x, y, x + side, y + side), reducing_gap=3.0)
    return im.resize(fit(*im.size, size, shorter), Image.LANCZOS, reducing_gap=3.0)


def as_uint8(image, what="the image"):
    """An image array as uint8 0-255, as the Python API takes them: floats in 0-1 (scikit-image's,
    matplotlib's) are scaled to 0-255, 16-bit integers brought down to 8; NaN, infinities and
    non-numbers are refused, naming ``what``."""
    a = np.asarray(image)
    if a.dtype == bool:
        return a.astype(np.uint8) * 255
    if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
        raise NSTError(f"{what}: an array of numbers (uint8 0-255, or floats 0-1), got {a.dtype}")
    if np.issubdtype(a.dtype, np.floating):
        if not np.isfinite(a).all():
            raise NSTError(f"{what}: has NaN or infinite values")
        if a.size and a.min() >= 0 and a.max() <= 1.0:
            a = a * 255.0
    elif a.size and a.max() > 255:
        a = a / 257.0  # 16-bit
    return np.clip(np.round(a), 0, 255).astype(np.uint8)


def as_rgb(image, what="the image", *, keep_float=False):
    """An image array as (H, W, 3) uint8: greyscale (H, W) or (H, W, 1) repeated, RGBA's alpha
    dropped, values as ``as_uint8``; any other shape is a one-line error naming ``what``.
    ``keep_float``: float values already in 0-255 stay float32, unrounded (a network's input)."""
    a = np.asarray(image)
    if a.ndim == 2:
        a = a[..., None]
    if a.ndim != 3 or a.shape[2] not in (1, 3, 4) or min(a.shape[:2]) == 0:
        raise NSTError(f"{what}: an RGB image array of shape (height, width, 3) (or greyscale (height, width), or "
                       f"RGBA), got shape {a.shape}")
    if keep_float and np.issubdtype(a.dtype, np.floating) and np.isfinite(a).all() and a.size and a.max() > 1:
        a = np.clip(a, 0, 255).astype(np.float32)
    else:
        a = as_uint8(a, what)
    return np.ascontiguousarray(np.repeat(a, 3, axis=2) if a.shape[2] == 1 else a[..., :3])


def resize(image, size, what="the image"):
    """An image array (``as_rgb``) resized so its longer side is ``size``, as (H, W, 3) uint8."""
    return np.asarray(_resized(Image.fromarray(as_rgb(image, what)), size))


def check_output(path, inputs=(), formats=None, *, overwrite=True):
    """Fail before any work if ``path`` can't be written, would overwrite one of ``inputs``, or (not
    ``overwrite``) exists already.

    ``formats``: the extensions allowed (default: every image type Pillow writes).
    """
    path = Path(path)
    if len(path.name.encode()) > NAME_MAX:
        raise NSTError(f"{path.name[:40]}...: a file name of {len(path.name.encode())} bytes; file systems allow at "
                       f"most {NAME_MAX}: choose a shorter --out")
    if path.suffix.lower() not in (formats or _writable()):
        raise NSTError(f"{path}: unknown {'' if formats else 'image '}type '{path.suffix}'; use "
                       + (", ".join(formats) if formats else ".png or .jpg"))
    if not path.parent.is_dir():
        there = "is a file, not a folder" if path.parent.exists() else "does not exist"
        raise NSTError(f"{path}: folder {path.parent} {there}")
    if path.is_dir():
        raise NSTError(f"{path}: is a directory")
    for src in inputs:
        if src is not None and path.exists() and path.resolve() == Path(src).resolve():
            raise NSTError(f"{path}: is also an input; refusing to overwrite it")
    if not overwrite and path.exists() and path not in FRESH:
        raise NSTError(f"{path}: already exists; pass --overwrite to replace it, or choose another --out")
    return path


FRESH = {}  # default output names -> (name, suffix, n): a write that finds one taken moves on to the next


def fresh_path(name, suffix=".png"):
    """``name + suffix`` in the current folder, or ``name-1``, ``name-2``, ...: the first that does not
    exist yet, so a default output never replaces a file. If another run takes the name before this
    one writes, ``write_output`` takes the next free one."""
    return _free(name, suffix, 0)


def _free(name, suffix, n):
    """The first free ``numbered`` name from the n-th on, remembered as a default name."""
    while numbered(name, n, suffix).exists():
        n += 1
    path = numbered(name, n, suffix)
    FRESH[path] = (name, suffix, n)
    return path


def write_output(path, write, *, overwrite=True, made=False):
    """Write an output atomically through ``write(temporary path)`` and return the path written:
    ``path``, replacing a file only with ``overwrite``. A name this tool chose, a default one
    (``fresh_path``) or one it ``made`` inside a folder the user named (``NAME_STYLE.png``), that
    another run took meanwhile moves on to the next free ``-N`` one, so finished work is never thrown
    away; a file name the user typed that appeared meanwhile is a one-line error."""
    path = Path(path)
    while True:
        try:
            with atomic_path(path, replace=overwrite) as tmp:
                write(tmp)
            return path
        except FileExistsError:
            if path in FRESH:
                path = _free(*FRESH[path])
            elif made:
                path = _free(str(path.with_suffix("")), path.suffix, 1)
            else:
                raise NSTError(f"{path}: appeared while this run worked (another run?); not replaced: pass "
                               "--overwrite to replace it, or choose another --out") from None


def output_folder(folder, paths, inputs, name, what="inputs", *, overwrite=False, formats=None):
    """Checked outputs ``folder/name(path)`` for each input path, the folder made if missing: one
    output per input, none colliding, none an input (``inputs``), none an existing file unless
    ``overwrite``; ``formats`` as ``check_output``'s."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NSTError(f"{folder}: is a file, and --out names a folder here (it ends in /, or there are several "
                       f"{what}): choose a folder")
    if not folder.parent.is_dir():
        there = "is a file, not a folder" if folder.parent.exists() else "does not exist"
        raise NSTError(f"{folder}: folder {folder.parent} {there}")
    stems = [p.stem for p in paths]
    clash = sorted({s for s in stems if stems.count(s) > 1})
    if clash:
        raise NSTError(f"several {what} are named {clash[0]}.*: their outputs would collide in {folder}")
    output_dir(folder)
    return [check_output(folder / _fitting(name(p)), inputs, formats, overwrite=overwrite) for p in paths]


def _fitting(name):
    """A name this tool made from an input's (``NAME_STYLE.png``), its stem shortened to fit a file name."""
    name = Path(name)
    return shortened(name.stem, NAME_MAX - len(name.suffix.encode())) + name.suffix


def readable(pairs, *, min_side=MIN_SIDE, bar=None):
    """``(path, out, image, alpha)`` for each ``(path, out)`` whose image decodes (``load_with_alpha``):
    a file that only shows itself broken when decoded (a truncated JPEG in a folder) is skipped, the
    others still done, and at the end one error names how many were written and which were not."""
    pairs, failed = list(pairs), []
    for path, out in pairs:
        try:
            image, alpha = load_with_alpha(path, min_side=min_side)
        except NSTError as e:
            failed.append(str(e))
            if bar is not None:
                bar.update()
            continue
        yield path, out, image, alpha
    if failed:
        raise NSTError(f"{len(pairs) - len(failed)} of {len(pairs)} written; not written: {'; '.join(failed)}")


def taken(planned, written):
    """What a command's line adds when another run took the planned name meanwhile."""
    return f" ({Path(planned).name} was taken meanwhile)" if Path(planned) != Path(written) else ""


def collect_images(names, min_side=MIN_SIDE):
    """The image files named, folders expanded (sorted), each checked by its header (``check_image``):
    a one-line error for a missing, unreadable or too small one, or for none at all."""
    paths = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            paths += find_images(path)
        elif path.exists():
            paths.append(path)
        else:
            raise NSTError(f"{path}: no such file")
    if not paths:
        raise NSTError(f"{', '.join(map(str, names))}: no image files")
    return [check_image(p, min_side) for p in paths]


def names_folder(out):
    """Whether an --out value names a folder: an existing one, or any path written with a final /."""
    if out is None:
        return False
    try:
        return Path(out).is_dir() or str(out).endswith(("/", os.sep))
    except OSError:  # a name too long to exist: not a folder (check_output says what is wrong)
        return False


def plan_outputs(names, out, *, file_stem, folder_stem, default_folder, what="inputs", min_side=MIN_SIDE,
                 overwrite=False):
    """(inputs, outputs) of a command that makes one image of each input image, all checked before
    any work. One input file writes ``out``, by default ``file_stem(input).png`` here, or
    ``out/file_stem(input).png`` when ``out`` is a folder already or ends in ``/`` (so runs of
    several models into one folder keep each result); several inputs or a folder write
    ``out/folder_stem(input).png``, by default in a new folder ``default_folder``. Defaults never
    replace a file (``fresh_path``, ``fresh_dir``); given names replace one only with ``overwrite``."""
    inputs = collect_images(names, min_side)
    if len(names) == 1 and not Path(names[0]).is_dir():
        if not names_folder(out):
            return inputs, [check_output(out or fresh_path(file_stem(inputs[0])), inputs, overwrite=overwrite)]
        folder_stem = file_stem
    folder = out or fresh_dir(default_folder)
    return inputs, output_folder(folder, inputs, inputs, lambda p: f"{folder_stem(p)}.png", what, overwrite=overwrite)


def _writable():
    """Extensions of the image types Pillow can write (it also reads some it cannot write)."""
    Image.init()
    return {ext: fmt for ext, fmt in Image.registered_extensions().items() if fmt in Image.SAVE}


def keeps_alpha(path):
    """Whether an image written to ``path`` keeps transparency (by its extension)."""
    return _writable().get(Path(path).suffix.lower()) in ALPHA_FORMATS


def save_image(path, image, *, alpha=None, overwrite=True, made=False):
    """Write an RGB array (0-255) to ``path`` atomically; the format follows the extension (JPEG and
    WebP at quality 95, full-resolution colour: ``LOSSY_SAVE``). ``alpha``: the input's transparency
    (``load_with_alpha``), bicubic-resized to the image if it differs; kept in formats that hold it
    (``ALPHA_FORMATS``: .png, .webp, .tif, ...), else transparent areas are made white, as a viewer
    shows them. Returns the path written: ``path``, or with ``overwrite=False`` the next free default
    name, or the next free name of one this tool ``made`` (``write_output``)."""
    path = check_output(path)
    fmt = _writable()[path.suffix.lower()]
    image = np.asarray(image)
    if image.dtype != np.uint8:  # uint8 goes as it is: three copies of a 16000x12000 result cost 1.7 GB
        image = np.clip(image, 0, 255).round().astype(np.uint8)
    im = Image.fromarray(image)
    if alpha is not None:
        im.putalpha(Image.fromarray(np.asarray(alpha, np.uint8)).resize(im.size, Image.BICUBIC))
        if not keeps_alpha(path):
            im = _rgb(im)
    return write_output(path, lambda tmp: im.save(tmp, format=fmt, **LOSSY_SAVE.get(fmt, {})), overwrite=overwrite,
                        made=made)
