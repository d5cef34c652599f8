"""``export``: lesson 9's fast style networks (and the arbitrary-style decoders) taken elsewhere, as
ONNX, LiteRT or SavedModel files checked by their own runtimes (``core.export``). The name, the
format's converters and the output are checked before Keras loads."""

import numpy as np

from ..arbitrary.defaults import MODELS as DECODERS
from ..core.export import check_format, check_photo, plan_output
from ..fast_style.defaults import MODELS
from .kit import export_flags


def add_parsers(sub):
    p = sub.add_parser("export", help="a fast style network as ONNX, LiteRT or SavedModel (pip install "
                                      "'keras-nst[export]'), checked by its runtime against Keras")
    p.add_argument("--model", default=MODELS[0],
                   help=f"a shipped style ({', '.join(MODELS)}; default {MODELS[0]}) or a .keras file from "
                        f"fast-train; or an arbitrary-style decoder ({', '.join(DECODERS)}, or arbitrary-train's), "
                        "checked on the photo's features at its level")
    export_flags(p)


def export_command(args):
    from ..arbitrary.options import REGISTRY as DECODER_REGISTRY
    from ..fast_style.options import REGISTRY

    path = (DECODER_REGISTRY if args.model in DECODERS else REGISTRY).path(args.model)
    check_format(args.format)
    out = plan_output(args.out, path.stem, args.format, model_path=path, overwrite=args.overwrite)
    photo = check_photo(args.photo)
    from ..core.export import export_network  # Keras loads here, after every check
    from ..fast_style.inference import load_style_model

    if args.model in DECODERS or _is_decoder(path):
        model, photo = _decoder_and_features(path, photo)
    else:
        model = load_style_model(path, precision="float32")
    print(export_network(model, out, fmt=args.format, photo=photo, overwrite=args.overwrite).line())


def _is_decoder(path):
    """A .keras file whose input is not a picture (an arbitrary-style decoder takes VGG16 features)."""
    import keras

    try:
        return keras.saving.load_model(path).input.shape[-1] != 3
    except Exception:  # not a Keras model at all: load_style_model names the problem
        return False


def _decoder_and_features(path, photo):
    """The decoder, and the check photo encoded up to its level: what it decodes at use."""
    from ..arbitrary.inference import load_decoder
    from ..arbitrary.model import encode, encoder

    decoder = load_decoder(path, precision="float32")
    features = encode(encoder([decoder.level]), photo[None])[0]
    return decoder, np.asarray(features[0], "float32")


COMMANDS = {"export": export_command}
