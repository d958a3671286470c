"""The built docs site works offline: nothing it loads comes from another host, the maths
renderer ships with it, and the API page shows examples as code and roles as links.

The site is built once (``mkdocs build --strict``, about 10 s). The screenshot check runs
``scripts/docs_screenshots.py`` in headless Chromium and is skipped where no Chromium is installed
(CI); ``apt-get install chromium`` enables it.
"""

from __future__ import annotations

import re
import runpy
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("mkdocs")

ROOT = Path(__file__).parents[1]
MATHJAX = "javascripts/mathjax/tex-mml-chtml.js"
SCREENSHOTS = runpy.run_path(str(ROOT / "scripts" / "docs_screenshots.py"))
LOADING_RELS = {"stylesheet", "preload", "modulepreload", "preconnect", "dns-prefetch", "icon"}


class _LoadedUrls(HTMLParser):
    """URLs a browser fetches while loading a page (scripts, styles, fonts, images, frames)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "link" and LOADING_RELS & set(attr.get("rel", "").split()):
            self.urls.append(attr.get("href", ""))
        elif tag in {"script", "img", "iframe", "source", "audio", "video"} and "src" in attr:
            self.urls.append(attr["src"])


def loaded_urls(html: str) -> list[str]:
    parser = _LoadedUrls()
    parser.feed(html)
    return parser.urls


def is_external(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, flags=re.IGNORECASE))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("docs") / "site"
    SCREENSHOTS["build_site"](site_dir)  # --strict: a broken link or anchor fails here
    return site_dir


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    external = {
        f"{page.relative_to(site)}: {url}"
        for page in pages
        for url in loaded_urls(page.read_text(encoding="utf-8"))
        if is_external(url)
    }
    assert not external, "pages load from other hosts (offline they break):\n" + "\n".join(
        sorted(external)
    )


def test_the_maths_renderer_ships_with_the_site(site: Path) -> None:
    assert (site / MATHJAX).stat().st_size > 500_000
    fonts = list((site / "javascripts/mathjax/output/chtml/fonts/woff-v2").glob("*.woff"))
    assert len(fonts) > 10  # CommonHTML output loads these lazily
    assert (site / "javascripts/mathjax/input/tex/extensions/boldsymbol.js").is_file()
    hpo = (site / "algorithms/hpo/index.html").read_text(encoding="utf-8")
    scripts = loaded_urls(hpo)
    assert f"../../{MATHJAX}" in scripts
    assert scripts.index("../../javascripts/mathjax-config.js") < scripts.index(f"../../{MATHJAX}")
    assert hpo.count('class="arithmatex"') > 10


def test_api_page_shows_examples_as_code_and_roles_as_links(site: Path) -> None:
    api = (site / "api/index.html").read_text(encoding="utf-8")
    assert "<blockquote>" not in api  # `>>>` lines outside an Examples section become these
    assert '<span class="gp">&gt;&gt;&gt; </span>' in api  # a highlighted doctest prompt
    assert 'href="../concepts/environments/#hybrid_toolkit.envs.registry.EnvSpec"' in api
    raw_roles = {
        f"{page.relative_to(site)}: {match}"
        for page in site.rglob("*.html")
        for match in re.findall(
            r":(?:func|class|meth|attr|mod|data|exc|obj):<code>[^<]*",
            page.read_text(encoding="utf-8"),
        )
    }
    assert not raw_roles, "Sphinx roles rendered as text:\n" + "\n".join(sorted(raw_roles))


@pytest.mark.skipif(
    SCREENSHOTS["find_chromium"]() is None,
    reason="no chromium (apt-get install chromium)",
)
def test_screenshots_show_typeset_maths_offline(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main = SCREENSHOTS["main"]
    pages = ["api/", "algorithms/hpo/"]
    assert main(["--site", str(site), "--out", str(tmp_path), *pages]) == 0
    out = capsys.readouterr().out
    assert re.search(r"ok: algorithms/hpo/ .*\((\d+)/\1 formulas typeset\)", out), out
    for name in ("api.png", "algorithms-hpo.png"):
        assert (tmp_path / name).stat().st_size > 20_000
