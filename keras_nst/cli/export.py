"""``export``: lesson 9's fast style networks taken elsewhere, as ONNX, LiteRT or SavedModel files
checked by their own runtimes (``core.export``). The name, the format's converters and the output
are checked before Keras loads."""

from ..core.export import check_format, check_photo, export_flags, plan_output
from ..fast_style.defaults import MODELS


def add_parsers(sub):
    p = sub.add_parser("export", help="a fast style network as ONNX, LiteRT or SavedModel (pip install "
                                      "'keras-nst[export]'), checked by its runtime against Keras")
    p.add_argument("--model", default=MODELS[0],
                   help=f"a shipped style ({', '.join(MODELS)}; default {MODELS[0]}) or a .keras file from "
                        "fast-train (arbitrary-style decoders are not exported)")
    export_flags(p)


def export_command(args):
    from ..fast_style.options import REGISTRY

    path = REGISTRY.path(args.model)
    check_format(args.format)
    out = plan_output(args.out, path.stem, args.format, model_path=path, overwrite=args.overwrite)
    photo = check_photo(args.photo)
    from ..core.export import export_network  # Keras loads here, after every check
    from ..fast_style.inference import load_style_model

    model = load_style_model(path, precision="float32")
    print(export_network(model, out, fmt=args.format, photo=photo, overwrite=args.overwrite).line())


COMMANDS = {"export": export_command}
