"""``export``: lesson 9's super-resolution networks taken elsewhere, as ONNX, LiteRT or SavedModel
files checked by their own runtimes (``keras_nst.core.export``). The name, the format's converters
and the output are checked before Keras loads."""

from keras_nst.cli.kit import export_flags
from keras_nst.core.export import check_format, check_photo, plan_output

from ..defaults import MODELS, SCALE


def add_parsers(sub):
    p = sub.add_parser("export", help="an x4 network as ONNX, LiteRT or SavedModel (pip install "
                                      "'keras-nst[export]'), checked by its runtime against Keras")
    p.add_argument("--model", default=MODELS[0],
                   help=f"a shipped model ({', '.join(MODELS)}; default {MODELS[0]}) or a .keras file from train")
    export_flags(p)


def export_command(args):
    from ..options import check_model

    path = check_model(args.model)
    check_format(args.format)
    out = plan_output(args.out, path.stem, args.format, model_path=path, overwrite=args.overwrite)
    photo = check_photo(args.photo, scale=SCALE)
    from keras_nst.core.export import export_network  # Keras loads here, after every check

    from ..upscale import load_model

    model = load_model(path, precision="float32")
    print(export_network(model, out, fmt=args.format, photo=photo, overwrite=args.overwrite).line())


COMMANDS = {"export": export_command}
