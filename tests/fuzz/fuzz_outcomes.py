"""Outcome counts of the fuzz suite: how many inputs each property tried and what each led to.

Every fuzz property sends its input through :func:`check_outcome`, which asserts the contract
(a valid input is accepted; an invalid one raises a clear error naming the parameter) and counts
what happened. ``tests/conftest.py`` writes the counts to ``$HT_FUZZ_REPORT`` (JSON) at the end
of the session, and ``scripts/fuzz_report.py`` turns them into the table on the Reliability page.

The default suite tries ``HT_FUZZ_EXAMPLES`` (40) inputs per property to stay fast; the report
script raises it.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import settings

EXAMPLES = int(os.environ.get("HT_FUZZ_EXAMPLES", "40"))
"""Inputs tried per property."""

FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize="HT_FUZZ_REPORT" not in os.environ
)
"""Hypothesis settings every fuzz property uses (``@FUZZ``)."""

ACCEPTED = "accepted (valid input)"
REJECTED = "rejected with a clear error (invalid input)"

COUNTS: Counter[tuple[str, str]] = Counter()
"""``(target, outcome) -> count`` over the session."""


def record(target: str, outcome: str) -> None:
    """Count one input of ``target`` (e.g. ``"HybridSpace(...)"``) that led to ``outcome``."""
    COUNTS[(target, outcome)] += 1


def check_outcome(
    target: str,
    call: Callable[[], Any],
    *,
    valid: bool,
    names: Sequence[str] = (),
    errors: tuple[type[BaseException], ...] = (ValueError, TypeError),
) -> Any:
    """Run ``call`` and assert the input contract; count the outcome under ``target``.

    Args:
        target: What was fuzzed, as the docs table should name it.
        call: Runs the public API on the fuzzed input.
        valid: Whether the input is valid. A valid input must not raise; an invalid one must
            raise one of ``errors`` (never be accepted silently).
        names: For invalid inputs, the error message must contain at least one of these (the
            parameter's name, or the offending value) — an error that names nothing is not clear.
        errors: Exception types that count as a clear rejection.

    Returns:
        What ``call`` returned, or ``None`` when it raised.
    """
    if valid:
        result = call()
        record(target, ACCEPTED)
        return result
    try:
        result = call()
    except errors as err:
        message = str(err)
        assert not names or any(name in message for name in names), (
            f"{target}: the error {type(err).__name__}({message!r}) names none of {list(names)}"
        )
        record(target, REJECTED)
        return None
    raise AssertionError(f"{target}: an invalid input was accepted silently (returned {result!r})")
