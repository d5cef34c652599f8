"""``report``: the course's figures side by side, one HTML page; and ``weights``: the offline VGG16."""

import shlex
import time

from ..core.defaults import EVALS_PER_ITER, PRECISION
from ..report import REPORT_DATA, REPORT_ITERS, REPORT_SECTIONS, REPORT_SIZE
from .flags import rounds_arg, size_arg
from .kit import add_precision_flag


def add_parsers(sub):
    p = sub.add_parser("weights", help="get and check the VGG16 weights; optionally export a copy")
    p.add_argument("--weights", default="auto", metavar="SRC", help="as for transfer (default auto)")
    p.add_argument("--export", metavar="PATH.weights.h5", help="write the weights to this file")
    p.add_argument("--float16", action="store_true", help="export in float16 (29 MB, e.g. to carry to a GPU box)")
    p = sub.add_parser("report", help="the course's figures side by side: one HTML page of PNGs")
    p.add_argument("--out", default="report", help="the report's folder: index.html and img/ (default report)")
    p.add_argument("--data", default=REPORT_DATA,
                   help=f"a folder with content/, style/ and sr/eval/<set>/ (default {REPORT_DATA})")
    p.add_argument("--size", type=size_arg, default=REPORT_SIZE,
                   help=f"longer side of every optimised image in px (default {REPORT_SIZE})")
    p.add_argument("--iters", type=rounds_arg, default=REPORT_ITERS,
                   help=f"L-BFGS rounds of {EVALS_PER_ITER} evaluations per image (default {REPORT_ITERS})")
    p.add_argument("--sections", nargs="+", choices=REPORT_SECTIONS, default=list(REPORT_SECTIONS), metavar="NAME",
                   help=f"some of {', '.join(REPORT_SECTIONS)} (default: all)")
    p.add_argument("--course-model", metavar="PATH.keras",
                   help="the course's SR network (python -m super_res train --arch course) for its column")
    p.add_argument("--weights", default="auto", metavar="SRC", help="VGG16 weights source, as for transfer")
    add_precision_flag(p, "VGG16 and the shipped networks compute in bfloat16")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier report in --out")


def report_command(args):
    from tqdm import tqdm

    from .. import report

    started = time.perf_counter()
    out = report.check_out(args.out, args.data, args.overwrite)
    plan = report.plan(args.data, sections=args.sections, size=args.size)
    course = None
    if args.course_model:
        from super_res.upscale import load_model

        course = load_model(args.course_model)
    from ..core.vgg import vgg16_avg

    source = vgg16_avg(args.weights).weights_source
    with tqdm(total=report.cells(plan, course is not None), unit="cell", desc="report", dynamic_ncols=True) as bar:
        sections = report.build(plan, size=args.size, iters=args.iters, weights=args.weights, course_model=course,
                                tick=bar.update, precision=args.precision)
    command = "python -m keras_nst " + shlex.join(
        ["report", "--out", str(out), "--size", str(args.size), "--iters", str(args.iters)]
        + (["--data", args.data] if args.data != REPORT_DATA else [])
        + (["--sections", *args.sections] if tuple(args.sections) != REPORT_SECTIONS else [])
        + (["--course-model", args.course_model] if args.course_model else [])
        + (["--precision", args.precision] if args.precision != PRECISION else []))
    header = report.header(command, seconds=time.perf_counter() - started, weights_source=source, size=args.size,
                           iters=args.iters, precision=args.precision)
    path = report.write(out, sections, header, overwrite=args.overwrite)
    print(f"wrote {path} in {(time.perf_counter() - started) / 60:.1f} min")


def weights_command(args):
    from ..core.weights import check_export, export, known, model_pairs

    if args.export:
        check_export(args.export)
    from ..core.vgg import vgg16_avg

    vgg = vgg16_avg(args.weights)
    kind = known(model_pairs(vgg))
    check = f"the recorded ImageNet VGG16, {kind}" if kind else "NOT the recorded ImageNet VGG16"
    print(f"VGG16 weights: {vgg.weights_source} ({check})")
    if args.export:
        path = export(vgg, args.export, "float16" if args.float16 else "float32")
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


COMMANDS = {"report": report_command, "weights": weights_command}
