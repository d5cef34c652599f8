"""Helpers the tests share (plain functions; fixtures live in conftest)."""

import os
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]  # the checkout
DATA = ROOT.parent / "shared" / "data"  # the course data beside the checkout


def skimage_rgb(name, size=None):
    import skimage.data

    img = getattr(skimage.data, name)()
    if size:
        img = np.asarray(Image.fromarray(img).resize(size, Image.LANCZOS))
    return img


def prepare_tiny(tmp_path_factory, chunklen):
    """Four scikit-image photos prepared as 16 and 64 px crops (4 each): a tiny training set."""
    from super_res.prepare import prepare

    src = tmp_path_factory.mktemp("photos")
    for name in ("chelsea", "coffee", "astronaut", "rocket"):
        Image.fromarray(skimage_rgb(name)).save(src / f"{name}.jpg")
    out = tmp_path_factory.mktemp("data") / "prepared"
    prepare(src, out, sizes=(16, 64), workers=1, crops_per_image=4, chunklen=chunklen, seed=0)
    return out


# Adobe RGB (1998): its primaries adapted to the D50 connection space, gamma 563/256 (the published spec)
ADOBE_RGB_D50 = ((0.6097, 0.3111, 0.0195), (0.2053, 0.6257, 0.0609), (0.1492, 0.0632, 0.7446))
ADOBE_GAMMA = 563 / 256


def icc_profile(name="Test Adobe RGB (1998)", primaries=ADOBE_RGB_D50, gamma=ADOBE_GAMMA):
    """A minimal ICC v2 RGB display profile (matrix and gamma curves), as bytes: Pillow can use
    profiles but not make one for an RGB space other than sRGB, and the tests may not download one."""
    import struct

    def xyz(x, y, z):
        return b"XYZ " + bytes(4) + struct.pack(">3i", *(round(v * 65536) for v in (x, y, z)))

    text = name.encode("ascii") + b"\0"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(8) + bytes(3) + bytes(67)
    curve = b"curv" + bytes(4) + struct.pack(">IH", 1, round(gamma * 256)) + bytes(2)
    tags = [(b"desc", desc), (b"wtpt", xyz(0.9642, 1.0, 0.8249)), *zip((b"rXYZ", b"gXYZ", b"bXYZ"), map(
        lambda p: xyz(*p), primaries)), *((sig, curve) for sig in (b"rTRC", b"gTRC", b"bTRC"))]
    offset, table, body = 128 + 4 + 12 * len(tags), b"", b""
    for sig, data in tags:
        data += bytes(-len(data) % 4)
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + bytes(4) + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ " + bytes(12)
              + b"acsp" + bytes(24) + struct.pack(">I", 0) + struct.pack(">3i", *(round(v * 65536) for v in
              (0.9642, 1.0, 0.8249))) + bytes(48))
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def make_clip(path, *, frames=6, size=(48, 36), audio="aac", fps=10):
    """A tiny H.264 clip of a sliding gradient, with a sine tone in ``audio``'s codec (None: silent)."""
    import av

    w, h = size
    hz = 48000 if audio == "libopus" else 44100  # Opus takes 48 kHz
    with av.open(str(path), "w") as clip:
        video = clip.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        sound = clip.add_stream(audio, rate=hz) if audio else None
        for i in range(frames):
            image = np.zeros((h, w, 3), np.uint8)
            image[..., 0] = (np.linspace(0, 255, w) + 20 * i) % 256
            image[..., 1] = np.linspace(0, 255, h)[:, None]
            clip.mux(video.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        clip.mux(video.encode(None))
        if sound:
            t = np.arange(hz * frames // fps) / hz
            tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            step = sound.codec_context.frame_size or len(t)  # encoders of fixed frame sizes take them so
            for start in range(0, len(t), step):
                part = av.AudioFrame.from_ndarray(np.ascontiguousarray(tone[None, start:start + step]), format="flt",
                                                  layout="mono")
                part.sample_rate, part.pts = hz, start
                clip.mux(sound.encode(part))
            clip.mux(sound.encode(None))
    return path


def set_rotation(path, degrees):
    """Give an MP4's first track (the video) the display rotation phones write (90 or -90 degrees:
    the tkhd box's matrix), as PyAV's muxer cannot."""
    import struct

    data = bytearray(Path(path).read_bytes())
    i = data.index(b"tkhd")
    at = i + 4 + (52 if data[i + 4] == 1 else 40)  # past version, flags, times, ids, duration, layer, volume
    s = {90: 1, -90: -1}[degrees]
    matrix = (0, s << 16, 0, -s << 16, 0, 0, 0, 0, 1 << 30)  # 16.16 fixed point, the last 2.30
    data[at:at + 36] = struct.pack(">9i", *matrix)
    Path(path).write_bytes(data)


def user_env(**extra):
    """The environment as a user's shell has it (TensorFlow's log level not quieted), the checkout
    importable, and ``extra``: for running a command in a subprocess as typed."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def run_main(capsys, package, *argv):
    """``package``'s command line called in-process: its exit code, stdout and stripped stderr."""
    main = __import__(f"{package}.cli", fromlist=["main"]).main
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err.strip()


# the trainers at their smallest: super_res's pixel loss only (no VGG16), one residual block each
SR_SMALL = ["--batch-size", 2, "--steps-per-epoch", 1, "--n-res", 1, "--feature-weight", 0, "--pixel-weight", 1]
FAST_SMALL = ["--batch-size", 2, "--steps-per-epoch", 1, "--image-size", 48, "--res-blocks", 1, "--filters", 8]


def train_argv(package, prepared, out, *flags):
    """The command line of ``package``'s smallest training run (super_res's train, keras_nst's fast-train)."""
    command, small = ("train", SR_SMALL) if package == "super_res" else ("fast-train", FAST_SMALL)
    return [command, "--data", prepared, "--out", out, *small, *flags]
