"""Optional-dependency checks name the missing package and the extra that installs it."""

import pytest

from hybrid_toolkit.utils.optional_deps import (
    MissingOptionalDependencyError,
    is_installed,
    require,
)


def test_is_installed_finds_a_base_dependency_and_not_a_missing_one() -> None:
    assert is_installed("torch")
    assert not is_installed("no_such_package_xyz")
    assert not is_installed("no_such_package_xyz.sub")


def test_require_names_the_missing_module_and_the_extra() -> None:
    require("torch", extra="tune", feature="x")  # present: no error
    with pytest.raises(MissingOptionalDependencyError) as info:
        require(("torch", "no_such_package_xyz"), extra="tune", feature="hybrid-toolkit sweep")
    message = str(info.value)
    assert "no_such_package_xyz" in message
    assert "hybrid-toolkit sweep" in message
    assert "pip install 'hybrid-toolkit[tune]'" in message
    assert isinstance(info.value, ImportError)
