"""Hyperparameter sweeps on Ray Tune (``hybrid-toolkit sweep``): every trial an ordinary run.

* :mod:`~hybrid_toolkit.sweep.spec` — the sweep file and options: fixed fields, search axes;
* :mod:`~hybrid_toolkit.sweep.trial` — the Tune trainable (a ``train`` run that reports);
* :mod:`~hybrid_toolkit.sweep.runner` — searcher, scheduler, resources, resuming;
* :mod:`~hybrid_toolkit.sweep.results` — results table, best configuration, plot.

Nothing here imports Ray until a sweep runs, so the package loads without the ``[tune]`` extra.
"""
