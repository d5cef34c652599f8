"""``serve``: lesson 9's web app (``keras_nst.web``) from the command line.

The address is checked and Gradio looked for before anything loads; the app needs the ``web`` extra.
"""

import importlib.util
import socket

from ..core.errors import NSTError

HOST, PORT = "127.0.0.1", 7860  # this machine only, unless --host says otherwise; Gradio's usual port


def add_parsers(sub):
    p = sub.add_parser("serve", help="the web app: style transfer, fast style and super-resolution in a browser")
    p.add_argument("--host", default=HOST,
                   help=f"the address to listen on (default {HOST}: this machine only; 0.0.0.0: every network, "
                        "with no password)")
    p.add_argument("--port", type=int, default=PORT, help=f"default {PORT}")


def serve(args):
    if not 1 <= args.port <= 65535:
        raise NSTError(f"--port {args.port}: use a port from 1 to 65535")
    if importlib.util.find_spec("gradio") is None:
        raise NSTError("the web app needs Gradio: pip install 'keras-nst[web]'")
    check_address(args.host, args.port)
    from ..web.app import serve as run  # Keras and Gradio load here

    try:
        run(host=args.host, port=args.port,
            started=lambda url: print(f"keras-nst web app on {url} (Ctrl-C stops it)", flush=True))
    except OSError as e:  # the port taken, or an address this machine does not have
        raise NSTError(f"{args.host}:{args.port}: cannot serve there ({e})") from None


def check_address(host, port):
    """The address and the port, each in one line, before anything loads: a host name this machine
    cannot resolve, an address it does not have, a port another program holds."""
    try:
        family, kind, proto, _, where = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError, ValueError) as e:
        raise NSTError(f"--host {host}: not an address or a host name this machine knows ({e})") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the web server binds it
        try:
            probe.bind(where)
        except OSError as e:
            if e.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                raise NSTError(f"--port {port}: in use by another program on {host}; choose another --port") from None
            raise NSTError(f"--host {host}: this machine cannot listen there ({e.strerror or e})") from None


COMMANDS = {"serve": serve}
