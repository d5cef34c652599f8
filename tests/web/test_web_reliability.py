"""The web app when things go wrong: every error in its tab's status line, where it stays (no pop-up
that goes, no bare "Error" badge), no stale result under a message, the API's bad values named by
their field, one log line for each refused request, and a server that stops as every command does
and takes its uploads with it. Browser tests drive Debian's chromium as tests/web/test_web.py does."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from helpers import skimage_rgb

pytest.importorskip("gradio")
playwright = pytest.importorskip("playwright.sync_api")
from test_web import ROOT, WAIT, _page, _set, browser  # noqa: E402, F401  (browser: a fixture)

TOAST_S = 11  # Gradio's pop-up goes after 10 s: what is still there after this stays


def _start(env_extra=None):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "GRADIO_SERVER_PORT"}
    env.update(env_extra or {})
    proc = subprocess.Popen([sys.executable, "-m", "keras_nst", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    deadline = time.time() + 180
    while not any("web app on" in line for line in lines):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail("the server did not start:\n" + "".join(lines))
        time.sleep(0.5)
    return proc, f"http://127.0.0.1:{port}", lines


@pytest.fixture(scope="module")
def served():
    proc, url, lines = _start()
    yield SimpleNamespace(url=url, log=lines)
    proc.terminate()
    proc.wait(30)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("uploads")
    Image.fromarray(skimage_rgb("astronaut", (80, 80))).save(folder / "photo.png")
    Image.fromarray(skimage_rgb("coffee", (64, 48))).save(folder / "painting.png")
    Image.fromarray(np.full((1500, 1500, 3), 128, np.uint8)).save(folder / "big.png")  # 2.25 megapixels
    (folder / "notes.jpg").write_text("a text file renamed .jpg")
    (folder / "huge.png").write_bytes(bytes(26 * 2**20))  # over the page's 25 MB, under Gradio's backstop
    head = np.zeros((40, 40, 4), np.uint8)
    head[..., :3] = skimage_rgb("astronaut", (40, 40))
    head[6:34, 6:34, 3] = 255
    Image.fromarray(head).save(folder / "cutout.png")
    return folder


def _upload(page, box, path):
    page.locator(f"#{box} input[type=file]").set_input_files(path)


def test_every_tabs_error_stays_in_its_status_line_with_no_bare_badge(served, browser, files):  # noqa: F811
    page = _page(browser, served.url)
    status = lambda tab: playwright.expect(page.locator(f"#{tab}-status"))
    _upload(page, "transfer-painting", files / "painting.png")
    _upload(page, "transfer-photo", files / "notes.jpg")
    status("transfer").to_contain_text("notes.jpg: not an image this app can read", timeout=WAIT)  # on arrival
    page.locator("#transfer-run").click()  # and again on Paint, not "waiting for the device ..."
    status("transfer").to_contain_text("notes.jpg: not an image this app can read", timeout=WAIT)
    page.get_by_role("tab", name="Super-resolution").click()
    _upload(page, "sr-photo", files / "big.png")
    page.locator("#sr-run").click()
    status("sr").to_contain_text("big.png is 1500x1500 px; the page upscales up to 2 megapixels", timeout=WAIT)
    page.get_by_role("tab", name="Harmonize").click()
    _upload(page, "harmonize-painting", files / "painting.png")
    _upload(page, "harmonize-object", files / "photo.png")
    status("harmonize").to_contain_text("photo.png: no transparency", timeout=WAIT)
    _upload(page, "harmonize-object", files / "notes.jpg")
    status("harmonize").to_contain_text("notes.jpg: not an image this app can read", timeout=WAIT)
    assert "photo.png" not in page.locator("#harmonize-status").inner_text()  # not the previous file's
    page.get_by_role("tab", name="Fast style").click()
    _upload(page, "fast-photo", files / "huge.png")
    status("fast").to_contain_text("huge.png: 26 MB; the page takes files up to 25 MB", timeout=WAIT)
    _upload(page, "fast-photo", files / "notes.jpg")
    status("fast").to_contain_text("notes.jpg: not an image this app can read", timeout=WAIT)
    page.wait_for_timeout(TOAST_S * 1000)
    for tab, words in (("fast", "notes.jpg"), ("sr", "big.png"), ("harmonize", "notes.jpg"), ("transfer", "notes.jpg")):
        page.get_by_role("tab", name={"fast": "Fast style", "sr": "Super-resolution", "harmonize": "Harmonize",
                                      "transfer": "Style transfer"}[tab]).click()
        status(tab).to_contain_text(words)
        playwright.expect(page.get_by_text("Error", exact=True)).to_have_count(0)  # no bare badge
    page.close()


def test_upscale_clears_the_previous_result_on_a_new_upload(served, browser, files):  # noqa: F811
    page = _page(browser, served.url, "Super-resolution")
    _upload(page, "sr-photo", files / "painting.png")
    page.get_by_label("2", exact=True).check()
    page.locator("#sr-run").click()
    playwright.expect(page.locator("#sr-compare img").first).to_be_visible(timeout=WAIT)
    assert page.locator("#sr-compare a[download], #sr-compare button[aria-label*=ownload]").count() == 0  # one download
    _upload(page, "sr-photo", files / "photo.png")
    playwright.expect(page.locator("#sr-compare img")).to_have_count(0, timeout=WAIT)
    playwright.expect(page.locator("#sr-download")).to_be_disabled()
    page.close()


def test_harmonize_clears_the_composite_after_an_invalid_placement(served, browser, files):  # noqa: F811
    page = _page(browser, served.url, "Harmonize")
    _upload(page, "harmonize-painting", files / "painting.png")
    _upload(page, "harmonize-object", files / "cutout.png")
    playwright.expect(page.locator("#harmonize-result img")).to_be_visible(timeout=WAIT)  # where it lands
    _set(page, "harmonize-x", 1)
    _set(page, "harmonize-y", 1)
    playwright.expect(page.locator("#harmonize-status")).to_contain_text("reach outside", timeout=WAIT)
    playwright.expect(page.locator("#harmonize-result img")).to_have_count(0, timeout=WAIT)
    page.close()


def _call(url, api, data):
    """An API call as any HTTP client makes it (NaN as JSON's NaN literal); its last event's data."""
    import requests

    r = requests.post(f"{url}/gradio_api/call/{api}", data=json.dumps({"data": data}),
                      headers={"content-type": "application/json"}, timeout=60)
    if not r.ok:
        return r.status_code, r.text
    events = requests.get(f"{url}/gradio_api/call/{api}/{r.json()['event_id']}", timeout=300).text
    return r.status_code, events.strip().splitlines()[-1]


def test_the_api_names_a_bad_value_by_its_field_and_logs_one_line(served, files):
    import requests

    path = requests.post(f"{served.url}/gradio_api/upload", files={"files": open(files / "photo.png", "rb")},
                         timeout=60).json()[0]
    photo = {"path": path, "meta": {"_type": "gradio.FileData"}}
    nan = float("nan")
    t = lambda *values: [photo, photo, *values, "noise"]  # noqa: E731  (the transfer tab's inputs)
    cases = [
        ("transfer", t(nan, 1, 1.0, 1.0, 0.0, False), "size (longer side, px): nan is not a number"),
        ("transfer", t(64, 1, 1.0, nan, 0.0, False), "style scale (larger: larger strokes): nan"),
        ("transfer", t(64, 1, "abc", 1.0, 0.0, False), "content weight (lower: more style): 'abc'"),
        ("transfer", t(64, 1, 1.0, 1.0, None, False), "total variation (higher: smoother): empty"),
        ("transfer", [photo, photo, 64, 1, 1.0, 1.0, 0.0, False, "paint"], "start from (one pass:"),
        ("harmonize", [photo, photo, None, "an object to place", nan, 50, 0.3, 64, 1, 5],
         "object's centre: across (%): nan is not a number"),
        ("fast", [photo, "candy", nan, False, False, None, 1.0, "ot"], "working size (longer side, px)"),
        ("fast", [photo, "candy", 256, False, False, None, nan, "ot"], "your painting's share"),
        ("fast", [photo, "candy", 256, False, False, photo, 1.0, "svd"], "'svd' is not one of"),
        ("upscale", [photo, "psnr", "7"], "scale: '7' is not one of '2', '3', '4'"),
    ]
    for api, data, words in cases:
        code, answer = _call(served.url, api, data)
        assert code == 200 and words in answer and "internal error" not in answer, (api, answer)
    code, answer = _call(served.url, "nonexistent", [])
    assert code == 404 and "no such endpoint" in answer and "/transfer" in answer
    code, answer = _call(served.url, "fast", [{"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}},
                                              "candy", 256, False, False, None, 1.0, "ot"])  # Gradio refuses it
    time.sleep(1)
    log = "".join(served.log)
    assert "Traceback" not in log and "Exception in ASGI" not in log, log
    assert "keras-nst serve: transfer: size (longer side, px): nan is not a number" in log
    assert "keras-nst serve: a request refused: InvalidPathError" in log
    assert log.count("no such endpoint") == 1


def test_curve_names_pass_two_above_its_points_and_counts_whole_rounds():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from keras_nst.web.live import curve

    fig = curve([10.0, 5.0, 3.0, 100.0, 50.0, 20.0], "loss", second=4)  # pass 2 starts at the top
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    point = ax.transData.transform((4, 100.0))
    labels = fig.findobj(lambda a: hasattr(a, "get_text") and a.get_text() == "pass 2" and a.get_visible())
    assert labels
    for label in labels:
        box = label.get_window_extent(renderer).expanded(1.0, 1.0)
        assert not box.contains(*point) and box.y0 > ax.get_window_extent(renderer).y1 - 1  # above the frame
    one = curve([5.0], "loss")
    FigureCanvasAgg(one).draw()
    ticks = [t for t in one.axes[0].get_xticks() if 0.5 <= t <= 1.5]
    assert ticks == [1.0]


def test_a_stopped_run_names_its_precision():
    from keras_nst.web import live

    request = SimpleNamespace(session_hash="test-precision")
    stopped = threading.Event()

    def run(callback):
        callback(1, np.zeros((1, 8, 8, 3), np.float32), 2.0)
        stopped.wait(30)
        callback(2, np.zeros((1, 8, 8, 3), np.float32), 1.0)

    updates = live.watch(run, 5, request, lambda *a, **k: None, "transfer", "x.png", title="loss")
    next(updates), next(updates)  # preparing, round 1
    live.stop_run("transfer", request)
    stopped.set()
    *_, (_, _, status) = updates
    assert status.startswith("stopped after round 2") and "computed in " in status


def _stop(signum, tmp_path):
    stale = tmp_path / "keras-nst-web-killed"  # what a server killed with -9 leaves: unlocked
    (stale / "uploads").mkdir(parents=True)
    (stale / "server.lock").touch()
    os.utime(stale / "server.lock", (time.time() - 3600,) * 2)
    (tmp_path / "gradio").mkdir()  # another program's temporary files stay
    (tmp_path / "other.txt").write_text("not ours")
    proc, url, lines = _start({"TMPDIR": str(tmp_path)})
    assert not stale.exists()
    import requests

    uploaded = requests.post(f"{url}/gradio_api/upload", files={"files": open(__file__, "rb")}, timeout=60).json()[0]
    assert "keras-nst-web-" in uploaded and os.path.exists(uploaded)  # in the server's own folder
    proc.send_signal(signum)
    proc.wait(60)
    time.sleep(0.5)
    assert not os.path.exists(uploaded) and not list(tmp_path.glob("keras-nst-web-*"))
    assert (tmp_path / "gradio").is_dir() and (tmp_path / "other.txt").is_file()
    return proc.returncode, "".join(lines)


def test_ctrl_c_stops_the_server_as_every_command_and_takes_its_uploads(tmp_path):
    code, log = _stop(signal.SIGINT, tmp_path)
    assert code == 130 and log.strip().endswith("keras-nst: interrupted; outputs are only ever written complete")
    assert "Keyboard interruption" not in log and "Traceback" not in log


def test_pictures_reach_gradio_as_files_of_their_own(files):
    """Gradio rewrites its cached copy of a repeated array in place, while the browser may still be
    fetching it (the server's "Too much data for declared Content-Length"); a file it copies and
    renames into place."""
    from keras_nst.web import harmonize_tab, upscale_tab

    args = (str(files / "painting.png"), str(files / "cutout.png"), None, harmonize_tab.MODES[0], 50, 50, 0.3, 64)
    first, second = harmonize_tab.preview(*args)[0], harmonize_tab.preview(*args)[0]
    assert isinstance(first, str) and first != second and os.path.isfile(first)
    (before, after), _, status = upscale_tab.upscale(str(files / "painting.png"), "psnr", "2")
    assert status == "" and all(isinstance(p, str) and os.path.isfile(p) for p in (before, after))
    assert Image.open(before).size == Image.open(after).size == (128, 96)
