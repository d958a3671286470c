"""Speed suites: our batched code timed side by side with what a user would otherwise run.

Each module registers one suite (``hybrid-toolkit bench NAME``) and writes ``NAME.{json,md}``
under ``--out-dir``; ``--docs-page`` rewrites the results block of its docs page.
"""
