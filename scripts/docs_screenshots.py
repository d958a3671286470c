"""Screenshot docs pages in headless Chromium, offline, and check that their maths rendered.

Usage: ``python scripts/docs_screenshots.py [--site DIR] [--out DIR] [PAGE ...]``. Without
``--site`` it builds the docs (``mkdocs build --strict``) into a temporary folder. The site is
served on 127.0.0.1 from a thread; Chromium resolves no other host, so a page that still needed
a CDN would show raw LaTeX. Each page gives ``OUT/<page>.png`` (1280 px wide, the width at
which the docs must read well) and a line with its count of typeset formulas; the exit status is
1 when a page with ``arithmatex`` formulas has fewer typeset ones (MathJax did not run).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PAGES = ("api/", "algorithms/hpo/")
WIDTH = 1280
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Offline: every host but the local server fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    # Let scripts (MathJax typesetting, its web fonts) finish before the capture.
    "--virtual-time-budget=15000",
)


@dataclass(frozen=True)
class PageShot:
    """One page's screenshot and how many of its formulas MathJax typeset."""

    page: str
    png: Path
    formulas: int
    typeset: int

    @property
    def ok(self) -> bool:
        return self.png.is_file() and self.typeset >= self.formulas


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) executable, or ``None``."""
    for name in CHROMIUM_NAMES:
        if path := shutil.which(name):
            return path
    return None


def build_site(site_dir: Path) -> None:
    """``mkdocs build --strict`` into ``site_dir`` (from the repository root).

    Not ``--quiet``: it drops warnings before ``--strict`` counts them. The log is printed only
    when the build fails.
    """
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # material's banner, not a build problem
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"mkdocs build failed:\n{done.stdout}{done.stderr}")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """Serve ``site_dir`` on 127.0.0.1 (a free port) from a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def compress(png: Path, colors: int = 64) -> None:
    """Rewrite ``png`` with a small palette (docs pages have few colours): about 3x smaller."""
    from PIL import Image  # pillow comes with matplotlib, a dependency of the package

    with Image.open(png) as image:
        small = image.convert("RGB").quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    small.save(png, optimize=True)


def _chromium(chromium: str, profile: Path, *args: str) -> str:
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def shoot(
    chromium: str, base_url: str, page: str, out_dir: Path, profile: Path, height: int = 2000
) -> PageShot:
    """Screenshot the top ``height`` px of ``page`` (a site path like ``api/``), count formulas."""
    url = base_url + page
    png = out_dir / (page.strip("/").replace("/", "-") + ".png")
    _chromium(chromium, profile, f"--screenshot={png}", f"--window-size={WIDTH},{height}", url)
    compress(png)
    dom = _chromium(chromium, profile, "--dump-dom", url)
    formulas = len(re.findall(r'class="arithmatex"', dom))
    typeset = len(re.findall(r"<mjx-container\b", dom))
    return PageShot(page, png, formulas, typeset)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pages", nargs="*", default=list(DEFAULT_PAGES), help="site paths")
    parser.add_argument("--site", type=Path, default=None, help="a built site (default: build)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--height", type=int, default=2000, help="window height in px")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        print("error: no chromium found (apt-get install chromium)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build_site(site)
        with serve(site) as base_url:
            profile = Path(tmp) / "profile"
            shots = [
                shoot(chromium, base_url, p, args.out, profile, args.height) for p in args.pages
            ]
    for shot in shots:
        status = "ok" if shot.ok else "FAILED"
        counts = f"{shot.typeset}/{shot.formulas} formulas typeset"
        print(f"{status}: {shot.page} -> {shot.png} ({counts})")
    return 0 if all(shot.ok for shot in shots) else 1


if __name__ == "__main__":
    sys.exit(main())
