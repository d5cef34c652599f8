"""Where the style-transfer commands write: default names from the inputs, folders for several
contents, every output and snapshot checked before any work."""

from pathlib import Path

from ..core.atomic import fresh_dir
from ..core.errors import NSTError
from ..core.image_io import check_output, find_images, fresh_path, load_mask, names_folder, output_folder, sized_shape


def content_names(args):
    """The --content values as a list, and whether they make several outputs (a folder of them)."""
    names = args.content if isinstance(args.content, list) else [args.content]
    return names, len(names) > 1 or Path(names[0]).is_dir()


def _default_name(args):
    """transfer: CONTENT_STYLE (or a styled_STYLE folder for several); content: CONTENT_LAYER;
    style: STYLE_texture."""
    if args.command == "style":
        return f"{first_style(args).stem}_texture"
    if args.command == "content":
        return f"{Path(args.content).stem}_{args.content_layer}"
    names, several = content_names(args)
    return f"styled_{first_style(args).stem}" if several else f"{Path(names[0]).stem}_{first_style(args).stem}"


def output(args):
    """--out, or its default (never an existing file; a default folder is made here, exclusively);
    one image into a folder given as --out (an existing one, or a path ending in /) is named as by
    default."""
    several = args.command == "transfer" and content_names(args)[1]
    if args.out is None:
        return fresh_dir(_default_name(args)) if several else fresh_path(_default_name(args))
    if names_folder(args.out) and not several:
        inputs = [first_style(args) if args.command == "style" else Path(content_names(args)[0][0])]
        return output_folder(args.out, inputs, inputs, lambda p: f"{_default_name(args)}.png", "images",
                             overwrite=args.overwrite)[0]
    return args.out


def first_style(args):
    """The (first) style image's path: it names default outputs."""
    return Path(args.style[0] if isinstance(args.style, list) else args.style)


def contents_and_outputs(args):
    """(content paths, output paths): one content writes --out; several, or a folder, write
    <--out folder>/<content name>.png each."""
    (names, several), style = content_names(args), first_style(args)
    if not several:
        return [names[0]], [check_output(args.out, [names[0], style], overwrite=args.overwrite)]
    paths = [q for c in names for q in (find_images(c) if Path(c).is_dir() else [Path(c)])]
    if not paths:
        raise NSTError(f"{', '.join(names)}: no image files")
    return paths, output_folder(args.out, paths, paths + [style], lambda p: f"{p.stem}.png", "content images",
                                overwrite=args.overwrite)


def check_masks(args, contents, styles, size):
    """--mask and --style-masks: readable, each of every content image's aspect ratio."""
    masks = [(args.mask, "--mask")] if args.mask else []
    masks += [(m, "--style-masks") for m in args.style_masks or []]
    for content in contents:
        shape = sized_shape(content, size)
        for mask, what in masks if shape else []:
            load_mask(mask, shape, what)


def groups(shapes):
    """Images of one shape are optimised together: {shape: [their shapes]}."""
    groups = {}
    for shape in shapes:
        groups.setdefault(shape, []).append(shape)
    return groups


def snapshot(out, i):
    return out.with_name(f"{out.stem}_iter{i:03d}{out.suffix}")
