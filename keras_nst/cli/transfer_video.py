"""``transfer --content clip.mp4``: Gatys style transfer on video (Ruder et al. 2016) from the
command line, every flag and file checked before Keras loads, then ``transfer.video``."""

import time
from pathlib import Path

import numpy as np

from ..core import memory
from ..core.errors import NSTError
from ..core.image_io import check_output, fit, fresh_path, load_image, names_folder, output_folder
from ..core.vgg import BYTES_PER_PIXEL
from ..transfer.defaults import INITS, TEMPORAL_WEIGHT
from ..transfer.options import check_video
from .flags import check_transfer_flags

PHOTO_ONLY = ("mask", "style_masks", "multires", "save_every", "grid")  # flags a video --content does not take


def transfer_video(args, started):
    """``transfer --content clip.mp4``: every check before Keras loads, then ``style_transfer_video``."""
    from tqdm import tqdm

    from ..core.video import OUT_FORMATS, even, probe

    clip = Path(args.content[0])
    if len(args.content) > 1:
        raise NSTError("--content: one video at a time")
    given = [f"--{f.replace('_', '-')}" for f in PHOTO_ONLY if getattr(args, f, None)]
    given += ["--init"] if args.init != INITS[0] else []
    if given:
        raise NSTError(f"{', '.join(given)}: for photos, not a video --content")
    temporal = check_video(temporal_weight=TEMPORAL_WEIGHT if args.temporal_weight is None else args.temporal_weight,
                           frames=args.frames)
    styles = [Path(s) for s in args.style]
    w, h, _ = probe(clip)
    ow, oh = even(*fit(w, h, args.size))
    name = f"{clip.stem}_{styles[0].stem}"
    if args.out is None:
        out = fresh_path(name, ".mp4")
    elif names_folder(args.out):
        out = output_folder(args.out, [clip], [clip, *styles], lambda p: f"{name}.mp4", "videos",
                            overwrite=args.overwrite, formats=OUT_FORMATS)[0]
    else:
        out = args.out
    out = check_output(out, [clip, *styles], OUT_FORMATS, overwrite=args.overwrite)
    check_transfer_flags(args, len(styles))
    memory.check_images([(1, oh, ow, 3)], BYTES_PER_PIXEL)
    style_images = [load_image(s, round(args.size * args.style_scale)) for s in styles]

    from ..transfer.video import style_transfer_video  # Keras loads here, after every check

    blend = {"style_blend": args.style_blend} if len(styles) > 1 else {}
    with tqdm(unit="frame", desc=clip.name, dynamic_ncols=True) as bar:
        out, frames, steadiness, losses = style_transfer_video(
            clip, style_images if len(styles) > 1 else style_images[0], out, size=args.size, iters=args.iters,
            temporal_weight=temporal, frames=args.frames, overwrite=args.overwrite, progress=bar,
            style_layers=args.style_layers, style_weights=args.style_weights, content_weight=args.content_weight,
            content_layer=args.content_layer, preserve_color=args.preserve_color, style_scale=args.style_scale,
            style_stat=args.style_stat, tv_weight=args.tv_weight, seed=args.seed, weights=args.weights,
            noise_blur=args.noise_blur, optimizer=args.optimizer, precision=args.precision, **blend)
    before, after = steadiness.means()
    print(f"wrote {out}: {frames} frames of {ow}x{oh} in {time.perf_counter() - started:.1f} s, --iters {args.iters} "
          f"a frame, --temporal-weight {temporal:g}; mean final loss {np.mean(losses):.6g}; warping error E_warp: "
          f"input {before:.5f}, result {after:.5f} ({after / max(before, 1e-9):.1f}x the input's)")
