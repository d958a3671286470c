"""griffe extension: Sphinx roles in docstrings become mkdocstrings cross-references.

The docstrings are Google style but name other objects with Sphinx roles
(``:class:`HybridSpace```, ``:meth:`~pkg.mod.Cls.method```, ``:mod:`.estimator```), which
Markdown shows as raw text. This extension rewrites each role, before the docstring is parsed,
into an *optional* autorefs link: a link where the target is on some page of the site, plain code
otherwise (no build warning for private helpers that no page documents). Names are resolved the
way Python would from the documented object (its members, its parents', its module's imports).
``mkdocs.yml`` loads it under the python handler's ``extensions`` option.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from griffe import Extension, Module, NameResolutionError, Object

ROLE = re.compile(r":(?:func|class|meth|attr|mod|data|exc|obj):`(?P<tilde>~?)(?P<name>[\w.]+)`")


def module_of(obj: Object) -> Module:
    """The module that holds ``obj`` (``obj`` itself for a module)."""
    while not obj.is_module and obj.parent is not None:
        obj = obj.parent
    assert isinstance(obj, Module)
    return obj


def resolve(obj: Object, name: str) -> str:
    """The full path ``name`` refers to in the docstring of ``obj`` (best guess if unknown)."""
    if name.startswith("."):  # relative, as in an import: one dot is the current package
        module = module_of(obj)
        base = module.path if module.is_init_module else module.path.rpartition(".")[0]
        dots = len(name) - len(name.lstrip("."))
        for _ in range(dots - 1):
            base = base.rpartition(".")[0]
        return f"{base}.{name.lstrip('.')}"
    root = obj.path.split(".", 1)[0]
    if name == root or name.startswith(root + "."):
        return name
    first, _, rest = name.partition(".")
    try:
        target = obj.resolve(first)
    except NameResolutionError:
        return name
    return f"{target}.{rest}" if rest else target


def rewrite(obj: Object, text: str) -> str:
    """``text`` with every Sphinx role replaced by an optional autorefs link."""

    def link(match: re.Match[str]) -> str:
        name = match["name"]
        title = name.rsplit(".", 1)[-1] if match["tilde"] else name.lstrip(".")
        return f'<autoref identifier="{resolve(obj, name)}" optional><code>{title}</code></autoref>'

    return ROLE.sub(link, text)


def documented(obj: Object) -> Iterator[Object]:
    """``obj`` and every object defined under it (aliases, i.e. imports, left out)."""
    yield obj
    for member in obj.members.values():
        if isinstance(member, Object):  # not an Alias
            yield from documented(member)


class SphinxRoles(Extension):
    """Rewrite Sphinx roles in every docstring of a loaded package (see the module docstring)."""

    def on_package(self, *, pkg: Module, **kwargs: Any) -> None:
        for obj in documented(pkg):
            if obj.docstring is not None:
                obj.docstring.value = rewrite(obj, obj.docstring.value)
