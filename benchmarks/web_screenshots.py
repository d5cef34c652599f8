"""The web app's three tabs after a run each, as PNG screenshots for the docs: the app started on a free
port, driven by Playwright in Debian's chromium, as ``tests/web/test_web.py`` does.

    python benchmarks/web_screenshots.py --photo ../shared/data/content/golden_gate.jpg \\
        --painting ../shared/data/style/starry_night.jpg --out docs
"""

import argparse
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--photo", required=True)
    ap.add_argument("--painting", required=True)
    ap.add_argument("--out", default="docs")
    ap.add_argument("--size", type=int, default=256, help="the style transfer tab's size")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    from playwright.sync_api import expect, sync_playwright

    work = Path(args.out).resolve()
    small = work / ".photo_small.png"  # a 200 px photo for the upscale tab: its x4 fits the page
    Image.open(args.photo).convert("RGB").resize((200, 133)).save(small)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "keras_nst", "serve", "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        while "web app on" not in server.stdout.readline():
            time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}")
            page.locator("#transfer-photo input[type=file]").set_input_files(args.photo)
            page.locator("#transfer-painting input[type=file]").set_input_files(args.painting)
            for slider, value in (("transfer-size", args.size), ("transfer-rounds", args.rounds)):
                page.locator(f"#{slider} input[type=number]").fill(str(value))
                page.locator(f"#{slider} input[type=number]").press("Enter")
            page.locator("#transfer-run").click()
            expect(page.locator("#transfer-status")).to_contain_text("done", timeout=600_000)
            page.screenshot(path=work / "web_transfer.png", full_page=True)
            page.get_by_role("tab", name="Fast style").click()
            page.locator("#fast-photo input[type=file]").set_input_files(args.photo)
            page.locator("#fast-run").click()
            expect(page.locator("#fast-result img")).to_be_visible(timeout=600_000)
            page.screenshot(path=work / "web_fast.png", full_page=True)
            page.get_by_role("tab", name="Super-resolution").click()
            page.locator("#sr-photo input[type=file]").set_input_files(small)
            page.locator("#sr-run").click()
            expect(page.locator("#sr-compare img").first).to_be_visible(timeout=600_000)
            page.screenshot(path=work / "web_upscale.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        small.unlink(missing_ok=True)
    for name in ("web_transfer", "web_fast", "web_upscale"):  # smaller files for the repository
        path = work / f"{name}.png"
        Image.open(path).convert("RGB").save(path.with_suffix(".jpg"), quality=85)
        path.unlink()
        print(f"wrote {path.with_suffix('.jpg')}")


if __name__ == "__main__":
    main()
