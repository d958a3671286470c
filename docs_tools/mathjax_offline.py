"""mkdocs hook: ship MathJax with the site, so the maths renders without a network.

MathJax 3 comes from the ``django-static-mathjax`` package (the docs extra installs it; it is
MathJax's own ``es5`` build as static files, Django is not needed). The hook adds the one
combined component the pages load (``tex-mml-chtml.js``) and the folders it loads lazily
(CommonHTML fonts, TeX extensions such as ``boldsymbol`` through ``autoload``, the menu and the
accessibility tools) to the site under ``javascripts/mathjax/``; ``mkdocs.yml`` loads it after
``javascripts/mathjax-config.js`` (the config for pymdownx.arithmatex's generic mode).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

SITE_DIR = "javascripts/mathjax"
"""Where the MathJax files go in the site (the ``extra_javascript`` entry points inside it)."""

ENTRY = "tex-mml-chtml.js"
SKIPPED_DIRS = ("output/svg",)
"""Lazily loaded parts the CommonHTML output never asks for."""


def mathjax_es5_dir() -> Path:
    """The ``es5`` folder of the installed MathJax (``django-static-mathjax``)."""
    import mathjax  # the package ``django-static-mathjax`` installs

    root = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (root / ENTRY).is_file():
        raise FileNotFoundError(f"{root / ENTRY} is missing; reinstall django-static-mathjax")
    return root


def shipped_files(es5: Path) -> list[Path]:
    """The files of ``es5`` the site needs: the entry component and every lazily loaded part."""
    files = [es5 / ENTRY]
    for path in sorted(es5.rglob("*")):
        rel = path.relative_to(es5).as_posix()
        if path.is_file() and "/" in rel and not rel.startswith(SKIPPED_DIRS):
            files.append(path)
    return files


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the MathJax files to the site (``mkdocs serve`` serves them too)."""
    es5 = mathjax_es5_dir()
    for path in shipped_files(es5):
        src_uri = f"{SITE_DIR}/{path.relative_to(es5).as_posix()}"
        files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    return files
