"""The web app in a real browser: headless Chromium driven by Playwright against ``keras-nst serve``
started on a free port (one server for the module: Keras and Gradio load once)."""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest
from PIL import Image

from helpers import skimage_rgb

pytest.importorskip("gradio")
playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WAIT = 240_000  # ms: a first call compiles; two jobs queue behind each other


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "GRADIO_SERVER_PORT"}
    proc = subprocess.Popen([sys.executable, "-m", "keras_nst", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    deadline = time.time() + 180
    while not any("web app on" in line for line in lines):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail("the server did not start:\n" + "".join(lines))
        time.sleep(0.5)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(30)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("no chromium (Debian's package) on this machine")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    folder = tmp_path_factory.mktemp("uploads")
    Image.fromarray(skimage_rgb("astronaut", (80, 80))).save(folder / "photo.png")
    Image.fromarray(skimage_rgb("coffee", (64, 48))).save(folder / "painting.png")
    (folder / "notes.jpg").write_text("a text file renamed .jpg")
    return folder


def _page(browser, url, tab=None):
    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    page.goto(url)
    if tab:
        page.get_by_role("tab", name=tab).click()
    return page


def _set(page, slider, value):
    box = page.locator(f"#{slider} input[type=number]")
    box.fill(str(value))
    box.press("Enter")


def test_fast_style_result_appears_and_downloads(server, browser, images, tmp_path):
    page = _page(browser, server, "Fast style")
    page.locator("#fast-photo input[type=file]").set_input_files(images / "photo.png")
    page.get_by_label("candy").first.check()
    page.locator("#fast-run").click()
    result = page.locator("#fast-result img")
    playwright.expect(result).to_be_visible(timeout=WAIT)
    with page.expect_download() as download:
        page.locator("#fast-result a[download]").first.click()
    saved = tmp_path / "styled.png"
    download.value.save_as(saved)
    assert Image.open(saved).size == (80, 80)
    page.close()


def test_style_transfer_one_round_at_tiny_size(server, browser, images):
    page = _page(browser, server)
    page.locator("#transfer-photo input[type=file]").set_input_files(images / "photo.png")
    page.locator("#transfer-painting input[type=file]").set_input_files(images / "painting.png")
    _set(page, "transfer-size", 64)
    _set(page, "transfer-rounds", 1)
    page.locator("#transfer-run").click()
    playwright.expect(page.locator("#transfer-status")).to_contain_text("done: 1 rounds", timeout=WAIT)
    playwright.expect(page.locator("#transfer-result img")).to_be_visible()
    page.close()


def test_upscale_shows_before_and_after_and_downloads(server, browser, images, tmp_path):
    page = _page(browser, server, "Super-resolution")
    page.locator("#sr-photo input[type=file]").set_input_files(images / "painting.png")
    page.get_by_label("2", exact=True).check()
    page.locator("#sr-run").click()
    playwright.expect(page.locator("#sr-compare img").first).to_be_visible(timeout=WAIT)
    with page.expect_download() as download:
        page.locator("#sr-download").click()
    download.value.save_as(tmp_path / "x2.png")
    assert Image.open(tmp_path / "x2.png").size == (128, 96)
    page.close()


def test_a_text_file_named_jpg_is_a_message_and_the_server_keeps_serving(server, browser, images):
    page = _page(browser, server, "Fast style")
    page.locator("#fast-photo input[type=file]").set_input_files(images / "notes.jpg")
    page.locator("#fast-run").click()
    playwright.expect(page.get_by_text("notes.jpg: not an image this app can read")).to_be_visible(timeout=WAIT)
    assert "/tmp" not in page.locator("body").inner_text()  # no server path in the page
    page.close()
    page = _page(browser, server, "Fast style")  # still serving
    page.locator("#fast-photo input[type=file]").set_input_files(images / "photo.png")
    page.locator("#fast-run").click()
    playwright.expect(page.locator("#fast-result img")).to_be_visible(timeout=WAIT)
    page.close()


def test_two_jobs_submitted_together_both_finish(server, browser, images):
    pages = [_page(browser, server, "Fast style") for _ in range(2)]
    for page in pages:
        page.locator("#fast-photo input[type=file]").set_input_files(images / "photo.png")
    for page in pages:
        page.locator("#fast-run").click()
    for page in pages:
        playwright.expect(page.locator("#fast-result img")).to_be_visible(timeout=WAIT)
        page.close()


def test_serve_refuses_a_bad_port_in_one_line():
    run = subprocess.run([sys.executable, "-m", "keras_nst", "serve", "--port", "70000"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and run.stderr.strip().endswith("--port 70000: use a port from 1 to 65535")


def test_page_messages_never_name_server_paths():
    from keras_nst.core.errors import NSTError
    from keras_nst.web.app import _page_message

    path = "/tmp/gradio/abc123/holiday photo.jpg"
    assert _page_message(NSTError(f"{path}: too small"), [path, None]) == "holiday photo.jpg: too small"


def test_stop_ends_the_run_after_the_round_in_hand_and_keeps_its_image(vgg, images):
    from types import SimpleNamespace

    from keras_nst.web import app

    request = SimpleNamespace(session_hash="test-stop")
    run = app.transfer(str(images / "photo.png"), str(images / "painting.png"), 48, 5, 1.0, 1.0, 0.0, False,
                       request=request)
    updates = [next(run)]  # loading
    updates.append(next(run))  # round 1's image
    app.stop_transfer(request)
    updates += list(run)
    image, _, status = updates[-1]
    assert status.startswith("stopped after round") and int(status.split()[3].rstrip(":")) < 5
    assert updates[-2][0].shape == (48, 48, 3)  # the last round's image stays in the page
