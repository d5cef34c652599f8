"""The web app under load, on this machine only: ``keras-nst serve`` started on a free port of
127.0.0.1, then N clients at once (each must get its own result) and M jobs in a row from one
client, the server's resident memory (RSS, from /proc) printed after 1, 10, 20, 100, ... jobs; then
SIGTERM, and the server's exit status and whether its temporary folder went.

    python benchmarks/web_load.py --clients 6 --jobs 100

Bounded: --clients <= 32 (the queue's size), --jobs <= 1000. A job is a fast style of a --size px
photo (``--job fast``), its x2 upscale (``--job upscale``), one L-BFGS round of style transfer at
64 px (``--job transfer``), or the three in turn (``--job mixed``).
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
CHECKPOINTS = (1, 10, 20, 50, 100, 200, 500, 1000)
KINDS = ("fast", "upscale", "transfer")


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def start_server(tmp):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**{k: v for k, v in os.environ.items() if k != "GRADIO_SERVER_PORT"}, "TMPDIR": str(tmp)}
    proc = subprocess.Popen([sys.executable, "-m", "keras_nst", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    deadline = time.time() + 300
    while not any("web app on" in line for line in lines):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise SystemExit("the server did not start:\n" + "".join(lines))
        time.sleep(0.5)
    return proc, f"http://127.0.0.1:{port}", lines


def photos(tmp, n, size):
    """``n`` different photos (scikit-image's astronaut, shifted), so each client's result is its own."""
    import skimage.data

    base = np.asarray(Image.fromarray(skimage.data.astronaut()).resize((size, size)))
    paths = []
    for i in range(n):
        path = tmp / f"photo{i}.png"
        Image.fromarray(np.roll(base, 7 * i, axis=1)).save(path)
        paths.append(path)
    return paths


def job(client, what, photo):
    from gradio_client import handle_file

    if what == "fast":
        from keras_nst.fast_style.options import shipped

        result, status = client.predict(handle_file(str(photo)), shipped()[0], 1024, False, False, api_name="/fast")
    elif what == "upscale":
        (_, result), _, status = client.predict(handle_file(str(photo)), "psnr", "2", api_name="/upscale")
    else:  # one L-BFGS round at 64 px, the photo painted in its own style
        result, _, status = client.predict(handle_file(str(photo)), handle_file(str(photo)), 64, 1, 1.0, 1.0, 0.0,
                                           False, api_name="/transfer")
    if not result:
        raise SystemExit(f"a job failed: {status}")
    return np.asarray(Image.open(result))


def kind(job_kind, i):
    return KINDS[i % len(KINDS)] if job_kind == "mixed" else job_kind


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=6, help="clients at once (default 6, at most 32)")
    p.add_argument("--jobs", type=int, default=100, help="jobs in a row from one client (default 100, at most 1000)")
    p.add_argument("--job", choices=(*KINDS, "mixed"), default="fast", help="mixed: the three in turn")
    p.add_argument("--size", type=int, default=128, help="the photos' side, px (default 128)")
    args = p.parse_args()
    if not (1 <= args.clients <= 32 and 1 <= args.jobs <= 1000 and 32 <= args.size <= 1024):
        p.error("--clients 1-32, --jobs 1-1000, --size 32-1024")
    from gradio_client import Client

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        proc, url, log = start_server(tmp)
        inputs = photos(tmp, args.clients, args.size)
        print(f"server on {url}, pid {proc.pid}: {rss_mb(proc.pid):.0f} MB after start")
        started = time.time()
        with ThreadPoolExecutor(args.clients) as pool:
            results = list(pool.map(lambda i: job(Client(url, verbose=False), kind(args.job, i), inputs[i]),
                                    range(args.clients)))
        own = all(not np.array_equal(a, b) for i, a in enumerate(results) for b in results[i + 1:])
        print(f"{args.clients} clients at once: {len(results)} results, each its own: {own}, "
              f"{time.time() - started:.1f} s; {rss_mb(proc.pid):.0f} MB")
        client = Client(url, verbose=False)
        started = time.time()
        for i in range(1, args.jobs + 1):
            job(client, kind(args.job, i), inputs[i % len(inputs)])
            if i in CHECKPOINTS or i == args.jobs:
                print(f"after {i} jobs in a row: {rss_mb(proc.pid):.0f} MB ({(time.time() - started) / i:.2f} s a job)",
                      flush=True)
        proc.send_signal(signal.SIGTERM)
        proc.wait(120)
        left = list(tmp.glob("keras-nst-web-*"))
        print(f"SIGTERM: exit {proc.returncode}, temporary folder {'left: ' + str(left) if left else 'removed'}")
        errors = [line for line in log if "Traceback" in line]
        print(f"tracebacks in the server's log: {len(errors)}")


if __name__ == "__main__":
    main()
