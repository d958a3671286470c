"""docs_tools/griffe_sphinx_roles.py: Sphinx roles in docstrings become optional autorefs links
to the object Python would find from the documented one."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

griffe = pytest.importorskip("griffe")

EXTENSION = runpy.run_path(str(Path(__file__).parents[1] / "docs_tools" / "griffe_sphinx_roles.py"))
MODULES = {
    "spaces.py": '''
class Space:
    """A space; see :meth:`sample` and :class:`~pkg.envs.Env`."""

    def sample(self):
        """Like :meth:`Space.sample` elsewhere; :func:`.envs.make` builds an env."""
''',
    "envs.py": '''
from pkg.spaces import Space


class Env:
    """Acts in a :class:`Space`; :func:`nowhere` stays code."""


def make():
    """Build one."""
''',
}


def link(identifier: str, title: str) -> str:
    return f'<autoref identifier="{identifier}" optional><code>{title}</code></autoref>'


def test_roles_become_links_resolved_from_the_documented_object() -> None:
    extensions = griffe.load_extensions(EXTENSION["SphinxRoles"])
    with griffe.temporary_visited_package("pkg", MODULES, extensions=extensions) as pkg:
        space = pkg["spaces.Space"]
        assert space.docstring.value == (
            f"A space; see {link('pkg.spaces.Space.sample', 'sample')} and "
            f"{link('pkg.envs.Env', 'Env')}."
        )
        assert space["sample"].docstring.value == (
            f"Like {link('pkg.spaces.Space.sample', 'Space.sample')} elsewhere; "
            f"{link('pkg.envs.make', 'envs.make')} builds an env."
        )
        assert pkg["envs.Env"].docstring.value == (
            f"Acts in a {link('pkg.spaces.Space', 'Space')}; "
            f"{link('nowhere', 'nowhere')} stays code."
        )
