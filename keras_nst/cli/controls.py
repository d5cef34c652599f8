"""``controls``: lesson 9's artistic controls side by side (``transfer.controls``), one row per flag,
content | style | result. Paths and options are checked before Keras loads."""

from ..core.errors import NSTError
from ..core.image_io import MIN_SIDE, load_image
from .kit import add_overwrite_flag


def add_parsers(sub):
    p = sub.add_parser("controls", help="every artistic control of transfer side by side, one row per flag")
    p.add_argument("--content", required=True)
    p.add_argument("--style", required=True)
    p.add_argument("--style2", required=True, help="the second style, for --style-blend and --style-masks")
    p.add_argument("--out", required=True, help="the grid image (.png/.jpg)")
    p.add_argument("--size", type=int, default=192)
    p.add_argument("--iters", type=int, default=6)
    p.add_argument("--weights", default="auto")
    add_overwrite_flag(p)


def controls_command(args):
    from ..core.plots import check_figure

    check_figure(args.out, [args.content, args.style, args.style2], overwrite=args.overwrite)
    if args.size < MIN_SIDE or args.iters < 1:
        raise NSTError(f"--size must be at least {MIN_SIDE} and --iters at least 1")
    content = load_image(args.content, args.size)
    style, style2 = load_image(args.style, args.size), load_image(args.style2, args.size)
    from ..transfer.controls import controls, save_controls  # Keras loads here, after every check

    rows = controls(content, style, style2, size=args.size, iters=args.iters, weights=args.weights)
    print(f"wrote {save_controls(args.out, content, rows, overwrite=args.overwrite)}")


COMMANDS = {"controls": controls_command}
