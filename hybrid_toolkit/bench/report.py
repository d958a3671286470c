"""What every benchmark writes next to its numbers: versions, machine, load, results files.

Timing numbers mean little without the machine and the load they were measured under, so each
benchmark records :func:`environment` (and the load average before and after it ran) in its
JSON file, and rewrites the results block of its docs page with :func:`replace_results_block`,
so re-running the benchmark on another machine refreshes the docs in one command.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
import shutil
from pathlib import Path
from typing import Any

import torch

RESULTS_START = "<!-- results:start -->"
RESULTS_END = "<!-- results:end -->"

_PACKAGES = ("hybrid_toolkit", "torch", "numpy", "gymnasium", "stable_baselines3")


def cpu_name() -> str:
    """The CPU model (from ``/proc/cpuinfo`` where available)."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> float:
    """The 1-minute load average (``nan`` where the platform has none)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def package_versions(names: tuple[str, ...] = _PACKAGES) -> dict[str, str]:
    """Installed versions of ``names`` (``"absent"`` for a package that is not installed)."""
    versions: dict[str, str] = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name.replace("_", "-"))
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    versions["torch"] = torch.__version__
    return versions


def environment(device: str = "cpu") -> dict[str, Any]:
    """Date, machine, Python and package versions, torch threads and the current load."""
    return {
        "date_utc": f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M}",
        "cpu": cpu_name(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "logical_cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": package_versions(),
        "torch_threads": torch.get_num_threads(),
        "device": device,
        "load_average_start": load_average(),
    }


def environment_lines(env: dict[str, Any]) -> list[str]:
    """:func:`environment` (plus ``load_average_end`` if present) as Markdown list items."""
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items() if v != "absent")
    load = f"{env['load_average_start']:.1f} at the start"
    loads = [env["load_average_start"], env.get("load_average_end", env["load_average_start"])]
    if "load_average_end" in env:
        load += f", {env['load_average_end']:.1f} at the end"
    if max(loads) > (env["logical_cpus"] or 1):
        load += " (above the CPU count: other jobs shared the machine)"
    capability = f" ({env['cpu_capability']} kernels)" if env.get("cpu_capability") else ""
    return [
        f"- date: {env['date_utc']} UTC",
        f"- machine: {env['cpu']}{capability}, {env['logical_cpus']} logical CPUs "
        f"({env['platform']})",
        f"- 1-minute load average: {load}",
        f"- Python {env['python']}, {versions}",
        f"- device {env['device']}, torch threads {env['torch_threads']}",
    ]


def write_json(path: str | Path, data: Any) -> Path:
    """Write ``data`` as indented JSON, creating parent folders."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=2) + "\n")
    return target


def replace_results_block(path: str | Path, block: str) -> Path:
    """Put ``block`` between the results markers of the Markdown page ``path``.

    The text outside ``<!-- results:start -->`` … ``<!-- results:end -->`` is kept; a page
    without the markers gets them (with ``block``) appended; a missing page is created.
    """
    target = Path(path)
    text = target.read_text() if target.exists() else ""
    fresh = f"{RESULTS_START}\n{block.rstrip()}\n{RESULTS_END}"
    if RESULTS_START in text and RESULTS_END in text:
        head, rest = text.split(RESULTS_START, 1)
        tail = rest.split(RESULTS_END, 1)[1]
        text = f"{head}{fresh}{tail}"
    else:
        text = f"{text.rstrip()}\n\n{fresh}\n" if text.strip() else f"{fresh}\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return target


def replace_named_block(path: str | Path, key: str, block: str) -> Path:
    """Put ``block`` between the ``<!-- KEY:start -->`` and ``<!-- KEY:end -->`` markers of a
    hand-written page that holds several generated tables (the env pages' reference costs).

    Raises:
        ValueError: The page lacks the markers (a table is never appended to a page by guess).
    """
    target = Path(path)
    start, end = f"<!-- {key}:start -->", f"<!-- {key}:end -->"
    text = target.read_text()
    if start not in text or end not in text:
        raise ValueError(f"{target} has no {start} ... {end} block")
    head, rest = text.split(start, 1)
    target.write_text(f"{head}{start}\n{block.rstrip()}\n{end}{rest.split(end, 1)[1]}")
    return target


def publish(
    block: str,
    markdown_path: Path,
    png: Path | None,
    docs_page: str = "",
    attachments: tuple[Path, ...] = (),
) -> None:
    """Write a suite's Markdown ``block``, print it, and refresh its docs page when one is named.

    The page's results block is replaced (:func:`replace_results_block`) and the plot ``png``
    (if the suite draws one) and every file of ``attachments`` (e.g. the raw JSON a page links
    to) copied beside the page, so the page's links keep working.

    Raises:
        ValueError: ``markdown_path`` is the docs page itself (writing the bare block there
            would erase the rest of the page).
    """
    if docs_page and markdown_path.resolve() == Path(docs_page).resolve():
        raise ValueError(
            f"the suite's Markdown file {markdown_path} is the docs page itself; "
            "pick an --out-dir other than the page's folder"
        )
    markdown_path.parent.mkdir(parents=True, exist_ok=True)
    markdown_path.write_text(block)
    print(block)
    if not docs_page:
        return
    page = replace_results_block(docs_page, block)
    for source in filter(None, (png, *attachments)):
        if page.with_name(source.name).resolve() != source.resolve():
            shutil.copyfile(source, page.with_name(source.name))
    print(f"updated {page}")
