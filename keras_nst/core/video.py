"""Clips in and out, for every task that paints video: PyAV decodes and encodes (its wheel ships its
own ffmpeg, libx264 included), one frame at a time, so memory does not grow with the clip's length.
The result is H.264 in yuv420p, which every player and browser shows; its sides are made even, as
yuv420p needs. The sound is copied as it is when the container takes its codec, else re-encoded to
AAC. Frames are turned upright as a player shows them (``upright``); a clip cut off part-way gives
what it has, and says so.
"""

from pathlib import Path

import numpy as np

from .errors import NSTError
from .image_io import write_output

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
        if clip.format.name == "image2" or clip.format.name.endswith("_pipe"):  # ffmpeg reads a photo as one frame
            raise NSTError(f"{path}: a still image ({clip.format.name.removesuffix('_pipe')}), not a video: give it "
                           "a photo's extension")
        if not clip.streams.video:
            raise NSTError(f"{path}: has no video stream")
        stream = clip.streams.video[0]
        try:
            first = upright(next(clip.decode(stream)))
        except (av.FFmpegError, StopIteration) as e:
            raise NSTError(f"{path}: no frame could be decoded ({getattr(e, 'strerror', None) or 'empty'})") from None
        return first.shape[1], first.shape[0], stream.frames or None


def map_video(src, out, paint, *, width, height, frames=None, overwrite=False, progress=None):
    """Each frame of ``src`` (upright RGB) through ``paint(rgb) -> image`` (at least ``width`` x
    ``height``, which must be even) into ``out``, written atomically like every output
    (``write_output``), with the sound. ``frames``: only the first N. ``progress``: a tqdm bar,
    advanced a frame at a time. Returns (path written, frames done); a clip whose data ends before
    the frames its header promises is written as far as it goes, then a one-line error says so."""
    import av

    total = probe(src)[2]
    total = min(total, frames) if total and frames else total or frames
    if progress is not None:
        progress.total = total
    done, broken = [0], []

    def write(tmp):
        container = OUT_FORMATS[Path(out).suffix.lower()]
        with _open(src) as clip, av.open(tmp, "w", format=container) as dst:
            vin = clip.streams.video[0]
            vin.thread_type = "AUTO"
            vout = dst.add_stream("libx264", rate=vin.average_rate or vin.guessed_rate or 25)
            vout.width, vout.height, vout.pix_fmt, vout.options = width, height, "yuv420p", {"crf": CRF}
            ain = clip.streams.audio[0] if clip.streams.audio else None
            copy = ain is not None and ain.codec_context.name in COPY_AUDIO[container]
            aout = None if ain is None else dst.add_stream_from_template(ain) if copy else dst.add_stream(
                "aac", rate=ain.rate or 44100)
            end = None  # with --frames: the time the last frame kept ends, where the sound stops too
            for packet in clip.demux(*filter(None, (vin, ain))):
                if packet.stream is ain:
                    if end is not None and packet.pts is not None and packet.pts * packet.time_base >= end:
                        break  # the preview's sound is complete
                    if copy and packet.dts is not None:
                        packet.stream = aout
                        dst.mux(packet)
                    elif not copy:
                        dst.mux([p for f in packet.decode() for p in aout.encode(f)])
                    continue
                if frames and done[0] >= frames:
                    if ain is None:
                        break
                    if end is None:
                        end = packet.pts * packet.time_base if packet.pts is not None else 0
                    continue
                try:
                    decoded = packet.decode()
                except av.FFmpegError as e:  # damaged from here on: keep what was done, and say so
                    broken.append(e.strerror or type(e).__name__)
                    break
                for frame in decoded:
                    if frames and done[0] >= frames:
                        break
                    image = paint(upright(frame))
                    new = av.VideoFrame.from_ndarray(np.ascontiguousarray(image[:height, :width]), format="rgb24")
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
    if broken or (total and done[0] < total):
        why = f"damaged ({broken[0]})" if broken else "cut off (truncated?)"
        raise NSTError(f"{src}: {why}: {done[0]} of {total} frames decoded; those are written to {path}")
    return path, done[0]


def even(w, h):
    """A frame size yuv420p takes: both sides even."""
    return w - w % 2, h - h % 2


def image_sized(frame, image):
    """The input frame at the result's size, so the two compare like with like (flow, measures)."""
    from PIL import Image

    if frame.shape[:2] == image.shape[:2]:
        return frame
    return np.asarray(Image.fromarray(frame).resize(image.shape[1::-1], Image.BILINEAR))
