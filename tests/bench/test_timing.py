"""The speed suites' timing helpers: what a Stopwatch records is the time of the wrapped calls."""

from __future__ import annotations

import time

from hybrid_toolkit.bench.timing import Stopwatch, seconds_since


class _Learner:
    def collect(self) -> str:
        time.sleep(0.02)
        return "rollout"

    def update(self, batch: str) -> str:
        return f"updated on {batch}"


def test_stopwatch_times_the_wrapped_methods_and_keeps_their_results() -> None:
    learner = _Learner()
    watch = Stopwatch(learner, {"collect": "collect", "update": "update"})
    assert learner.update(learner.collect()) == "updated on rollout"
    assert watch.totals["collect"] >= 0.015
    assert watch.totals["update"] < watch.totals["collect"]
    watch.reset()
    assert watch.totals == {"collect": 0.0, "update": 0.0}


def test_seconds_since_on_the_cpu_is_the_wall_time() -> None:
    start = time.perf_counter()
    time.sleep(0.01)
    assert 0.005 < seconds_since(start, "cpu") < 5.0
