"""Lesson 9's fast style transfer on video: the transform net is fast enough to paint every frame,
so a clip is stylised frame by frame as it is decoded, and the sound is carried over.

PyAV decodes and encodes (its wheel ships its own ffmpeg, libx264 included), one frame at a time:
memory does not grow with the clip's length. The result is H.264 in yuv420p, which every player and
browser shows; its sides are made even, as yuv420p needs. The sound is copied as it is when the
container takes its codec, else re-encoded to AAC. A network trained on still photos does not see
the frame before: ``flicker`` measures how much more the stylised frames change from one to the
next than the input's do.
"""

from pathlib import Path

import numpy as np

from ..core.errors import NSTError
from ..core.image_io import fit, write_output

VIDEO_EXTENSIONS = (".mp4", ".mov", ".mkv", ".m4v", ".webm", ".avi")
OUT_FORMATS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska"}  # containers for H.264 and AAC
# the sound codecs each container takes as they are (ffmpeg's muxers: QuickTime's .mov has no Opus or FLAC)
COPY_AUDIO = {"mp4": {"aac", "mp3", "alac", "opus", "ac3", "eac3", "flac"},
              "mov": {"aac", "mp3", "alac", "ac3", "eac3"},
              "matroska": {"aac", "mp3", "alac", "opus", "ac3", "eac3", "flac", "vorbis"}}
CRF = "18"  # x264's quality: visually lossless for most clips


def is_video(path):
    return Path(path).suffix.lower() in VIDEO_EXTENSIONS


def _open(path):
    import av

    try:
        return av.open(str(path))
    except FileNotFoundError:
        raise NSTError(f"{path}: no such file") from None
    except av.FFmpegError as e:
        raise NSTError(f"{path}: not a video this install can read ({e.strerror or type(e).__name__})") from None


def upright(frame):
    """A decoded frame as an RGB array the way it is meant to be seen: phones store portrait clips as
    landscape pictures with a display rotation (the container's display matrix, 90 or -90 degrees),
    which players apply; so is it here, as photos' EXIF orientation is, and the result is written
    upright with no rotation left to apply."""
    rgb = frame.to_ndarray(format="rgb24")
    turns = round((getattr(frame, "rotation", 0) or 0) / 90) % 4  # counterclockwise quarter turns
    return np.ascontiguousarray(np.rot90(rgb, turns)) if turns else rgb


def probe(path):
    """(width, height, frame count or None) of a video as displayed (its rotation applied), its first
    frame decoded: a missing, corrupt or unsupported file, or one without pictures, is a one-line
    error before any work."""
    import av

    with _open(path) as clip:
        if not clip.streams.video:
            raise NSTError(f"{path}: has no video stream")
        stream = clip.streams.video[0]
        try:
            first = upright(next(clip.decode(stream)))
        except (av.FFmpegError, StopIteration) as e:
            raise NSTError(f"{path}: no frame could be decoded ({getattr(e, 'strerror', None) or 'empty'})") from None
        return first.shape[1], first.shape[0], stream.frames or None


def output_size(w, h, *, size=None, keep_size=False):
    """The stylised frames' (width, height): the working size's (``working_size``), or the clip's own
    with ``keep_size``, each side made even (yuv420p)."""
    from .inference import working_size

    side = None if keep_size else working_size(h, w, size)
    ow, oh = fit(w, h, side) if side else (w, h)
    return ow - ow % 2, oh - oh % 2


class Flicker:
    """Mean absolute change between consecutive frames (grey levels), of the input and of the result."""

    def __init__(self):
        self.previous, self.sums, self.count = None, np.zeros(2), 0

    def add(self, frame, result):
        frame, result = frame.astype(np.int16), result.astype(np.int16)
        if self.previous is not None:
            self.sums += [np.abs(frame - self.previous[0]).mean(), np.abs(result - self.previous[1]).mean()]
            self.count += 1
        self.previous = frame, result

    def means(self):
        """(input's, result's) mean change a frame; (0, 0) for a single frame."""
        return tuple(self.sums / max(self.count, 1))


def stylize_video(model, src, out, *, size=None, keep_size=False, preserve_color=None, overwrite=False,
                  progress=None):
    """``src`` stylised frame by frame into ``out`` (H.264, sound kept), written atomically like every
    output (``write_output``: not replacing a file unless ``overwrite``). ``size``, ``keep_size``,
    ``preserve_color``: as ``stylize``'s. ``progress``: a tqdm bar, advanced a frame at a time.
    Returns (path written, frames, ``Flicker``)."""
    import av

    from .inference import stylize

    w, h, frames = probe(src)
    ow, oh = output_size(w, h, size=size, keep_size=keep_size)
    if progress is not None:
        progress.total = frames
    flicker, done = Flicker(), [0]

    def write(tmp):
        container = OUT_FORMATS[Path(out).suffix.lower()]
        with _open(src) as clip, av.open(tmp, "w", format=container) as dst:
            vin = clip.streams.video[0]
            vin.thread_type = "AUTO"
            vout = dst.add_stream("libx264", rate=vin.average_rate or vin.guessed_rate or 25)
            vout.width, vout.height, vout.pix_fmt, vout.options = ow, oh, "yuv420p", {"crf": CRF}
            ain = clip.streams.audio[0] if clip.streams.audio else None
            copy = ain is not None and ain.codec_context.name in COPY_AUDIO[container]
            aout = None if ain is None else dst.add_stream_from_template(ain) if copy else dst.add_stream(
                "aac", rate=ain.rate or 44100)
            for packet in clip.demux(*filter(None, (vin, ain))):
                if packet.stream is ain:
                    if copy and packet.dts is not None:
                        packet.stream = aout
                        dst.mux(packet)
                    elif not copy:
                        dst.mux([p for f in packet.decode() for p in aout.encode(f)])
                    continue
                for frame in packet.decode():
                    rgb = upright(frame)
                    image = stylize(model, rgb, size=size, keep_size=keep_size, preserve_color=preserve_color)
                    flicker.add(image_sized(rgb, image), image)
                    new = av.VideoFrame.from_ndarray(np.ascontiguousarray(image[:oh, :ow]), format="rgb24")
                    new.pts, new.time_base = frame.pts, frame.time_base
                    dst.mux(vout.encode(new))
                    done[0] += 1
                    if progress is not None:
                        progress.update()
            dst.mux(vout.encode(None))
            if aout is not None and not copy:
                dst.mux(aout.encode(None))

    try:
        path = write_output(out, write, overwrite=overwrite)
    except av.FFmpegError as e:
        raise NSTError(f"{src}: the video could not be processed ({e.strerror or type(e).__name__})") from None
    return path, done[0], flicker


def image_sized(frame, image):
    """The input frame at the result's size, so the two flickers compare like with like."""
    from PIL import Image

    if frame.shape[:2] == image.shape[:2]:
        return frame
    return np.asarray(Image.fromarray(frame).resize(image.shape[1::-1], Image.BILINEAR))
