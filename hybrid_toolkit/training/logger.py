"""`Logger`: namespaced scalars written to stdout, CSV and TensorBoard, plus run hyperparameters.

Keys follow Stable-Baselines3 (``rollout/ep_rew_mean``, ``time/fps``, ``train/policy_loss``) so
existing dashboards and habits carry over. Values are gathered with `Logger.record` /
`Logger.record_mean` and written by `Logger.dump`. Writers open their files on first use, so a
logger closed at the end of one ``train`` call keeps appending to the same files if it is used
again.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torch.utils.tensorboard import SummaryWriter

Value = float | int | str

FORMATS = ("stdout", "csv", "tensorboard")
"""The output formats a `Logger` understands."""


def _as_value(key: str, value: Any) -> Value:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | str):
        return value
    try:  # numpy scalars and 0-dim tensors
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"logged value for {key!r} must be a number or a string, got {type(value).__name__}"
        ) from None


class _StdoutWriter:
    """Stable-Baselines3's own aligned table (``HumanOutputFormat``), grouped by key prefix.

    A fresh format is built on every dump so the table goes to whatever ``sys.stdout`` is at that
    moment (pytest's capture, ``contextlib.redirect_stdout``), and SB3 routes it through
    ``tqdm.write`` when that is the real terminal, so the progress bar is not torn apart.
    """

    MAX_LENGTH = 80
    """Keys and values longer than this are truncated (SB3's default of 36 could make two long
    user keys collide, which SB3 reports by raising in the middle of training)."""

    def write(self, values: Mapping[str, Value], step: int) -> None:
        if not values:
            return
        # Imported lazily, like tensorboard: only a run that prints a table pays for it.
        from stable_baselines3.common.logger import HumanOutputFormat

        table = HumanOutputFormat(sys.stdout, max_length=self.MAX_LENGTH)
        table.write(dict(values), dict.fromkeys(values, ()), step)

    def close(self) -> None:
        pass


class _CsvWriter:
    """``progress.csv`` whose header grows when new keys appear (the file is rewritten safely)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.keys: list[str] = []
        self._file: Any = None
        self._started = False  # a fresh logger overwrites; a reopened one appends

    def _open(self) -> None:
        if not self._started:
            self.path.write_text("")
            self._started = True
        elif not self.keys and self.path.exists():
            with self.path.open(newline="") as f:
                self.keys = next(csv.reader(f), [])
        self._file = self.path.open("a", newline="")

    def _rewrite_with_header(self) -> None:
        """Rewrite the file with the current header, padding old rows; atomic via os.replace."""
        self._file.close()
        with self.path.open(newline="") as f:
            old_rows = list(csv.reader(f))[1:]
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".progress.", suffix=".csv.tmp")
        try:
            with os.fdopen(fd, "w", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(self.keys)
                for row in old_rows:
                    writer.writerow(row + [""] * (len(self.keys) - len(row)))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._file = self.path.open("a", newline="")

    def write(self, values: Mapping[str, Value], step: int) -> None:
        if self._file is None:
            self._open()
        new_keys = [k for k in values if k not in self.keys]
        if new_keys:
            self.keys.extend(new_keys)
            self._rewrite_with_header()
        csv.writer(self._file).writerow([values.get(k, "") for k in self.keys])
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class _TensorBoardWriter:
    """Scalars through ``torch.utils.tensorboard.SummaryWriter`` (strings are skipped)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writer: SummaryWriter | None = None

    def open(self) -> SummaryWriter:
        if self.writer is None:
            # Imported lazily: tensorboard takes about a second to import.
            from torch.utils.tensorboard import SummaryWriter

            self.writer = SummaryWriter(log_dir=str(self.folder))
        return self.writer

    def write(self, values: Mapping[str, Value], step: int) -> None:
        writer = self.open()
        for key, value in values.items():
            if not isinstance(value, str):
                writer.add_scalar(key, value, global_step=step)
        writer.flush()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _flatten(params: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def hparams_markdown(hparams: Mapping[str, Any]) -> str:
    """A two-column markdown table of (flattened) hyperparameters, as TensorBoard shows it."""
    lines = ["| parameter | value |", "|---|---|"]
    for key, value in _flatten(hparams).items():
        lines.append(f"| {key} | {str(value).replace('|', chr(92) + '|')} |")
    return "\n".join(lines)


class Logger:
    """Collects namespaced scalars and writes them to stdout, CSV and/or TensorBoard.

    Args:
        folder: Where ``progress.csv``, TensorBoard event files and ``hparams.json`` go; may be
            ``None`` when only ``"stdout"`` is used.
        formats: Any of ``"stdout"``, ``"csv"``, ``"tensorboard"``.
        verbose: ``0`` silences the stdout table; ``1`` prints it on every dump.

    Examples:
        >>> logger = Logger(None, formats=("stdout",), verbose=0)
        >>> logger.record("train/loss", 0.5)
        >>> logger.dump(step=1000)
    """

    def __init__(
        self, folder: str | Path | None, formats: Sequence[str] = ("stdout",), verbose: int = 1
    ) -> None:
        if isinstance(formats, str):
            raise TypeError(
                f"formats must be a sequence of format names, got the string {formats!r}"
            )
        unknown = [f for f in formats if f not in FORMATS]
        if unknown:
            raise ValueError(f"unknown logger format(s) {unknown}; expected any of {list(FORMATS)}")
        self.folder = Path(folder) if folder is not None else None
        needs_folder = [f for f in formats if f != "stdout"]
        if needs_folder and self.folder is None:
            raise ValueError(f"logger formats {needs_folder} need a folder, got folder=None")
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
        self.formats = tuple(formats)
        self.verbose = verbose
        self._stdout = _StdoutWriter() if "stdout" in formats and verbose >= 1 else None
        folder_path = self.folder  # not None whenever csv/tensorboard is asked for (checked above)
        self._csv = (
            _CsvWriter(folder_path / "progress.csv")
            if "csv" in formats and folder_path is not None
            else None
        )
        self._tb = (
            _TensorBoardWriter(folder_path)
            if "tensorboard" in formats and folder_path is not None
            else None
        )
        self._values: dict[str, Value] = {}
        self._counts: dict[str, int] = {}
        self._hparams: dict[str, Any] | None = None

    @property
    def name_to_value(self) -> dict[str, Value]:
        """A copy of the values recorded since the last `dump`."""
        return dict(self._values)

    def record(self, key: str, value: Any) -> None:
        """Set ``key`` to ``value`` for the next `dump` (the last call wins)."""
        self._values[key] = _as_value(key, value)
        self._counts.pop(key, None)

    def record_mean(self, key: str, value: Any) -> None:
        """Add ``value`` to a running mean of ``key`` that the next `dump` writes."""
        number = _as_value(key, value)
        if isinstance(number, str):
            raise TypeError(f"record_mean needs a number for {key!r}, got the string {number!r}")
        count = self._counts.get(key, 0)
        old = self._values.get(key, 0.0)
        assert not isinstance(old, str)
        self._values[key] = old + (number - old) / (count + 1)
        self._counts[key] = count + 1

    def dump(self, step: int = 0, stdout: bool = True) -> None:
        """Write every recorded value at global ``step`` to each format, then forget them.

        Args:
            step: Global step (x axis of TensorBoard).
            stdout: ``False`` writes the files only (the trainer's iterations between two
                stdout tables).
        """
        if not self._values:
            return
        for writer in (self._stdout if stdout else None, self._csv, self._tb):
            if writer is not None:
                writer.write(self._values, step)
        self._values.clear()
        self._counts.clear()

    def record_hparams(self, hparams: Mapping[str, Any]) -> None:
        """Record the run's hyperparameters.

        Writes ``hparams.json`` in the folder and, with TensorBoard, a markdown table under the
        ``hyperparameters`` text tag. Values that JSON cannot hold are written as strings.
        Recording the same hyperparameters again is a no-op, so both an algorithm and the trainer
        may call it.
        """
        if self._hparams == dict(hparams):
            return
        self._hparams = dict(hparams)
        if self.folder is not None:
            text = json.dumps(dict(hparams), indent=2, sort_keys=True, default=str)
            (self.folder / "hparams.json").write_text(text + "\n")
        if self._tb is not None:
            writer = self._tb.open()
            writer.add_text("hyperparameters", hparams_markdown(hparams), global_step=0)
            writer.flush()

    def close(self) -> None:
        """Flush and close every file; a later `dump` reopens them and appends."""
        for writer in (self._stdout, self._csv, self._tb):
            if writer is not None:
                writer.close()


def configure_logger(
    run_dir: str | Path | None,
    formats: Sequence[str] = ("stdout", "csv", "tensorboard"),
    verbose: int = 1,
) -> Logger:
    """Create a `Logger` writing into ``run_dir`` (created if missing).

    With ``run_dir=None`` only the formats that need no folder are kept (stdout).
    """
    if run_dir is None:
        formats = [f for f in formats if f == "stdout"]
    return Logger(run_dir, formats=formats, verbose=verbose)
