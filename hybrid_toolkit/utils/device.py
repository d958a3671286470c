"""`resolve_device`: turn a user's device choice (``"auto"``, ``"cpu"``, ``"cuda:1"`` …) into a
``torch.device`` that this torch build can actually use, or a clear ``ValueError``."""

from __future__ import annotations

import torch

AUTO = "auto"
"""CUDA when torch sees a GPU, else the CPU (Stable-Baselines3's default)."""


def resolve_device(device: torch.device | str = AUTO, *, name: str = "device") -> torch.device:
    """The ``torch.device`` that ``device`` names, checked against this torch build.

    Args:
        device: ``"auto"`` (CUDA when available, else CPU), a device string such as ``"cpu"``,
            ``"cuda"`` or ``"cuda:1"``, or a ``torch.device``.
        name: How error messages call the parameter (the CLI passes its flag).

    Returns:
        The device; ``"auto"`` resolves to ``cuda`` or ``cpu``.

    Raises:
        ValueError: ``device`` is not a device string, or names CUDA (or MPS) that this torch
            build or machine does not have; the message names the device and what is available.
    """
    if isinstance(device, str) and device.strip().lower() == AUTO:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(device, (str, torch.device)):
        raise ValueError(
            f"{name} must be 'auto', a device string such as 'cpu' or 'cuda:0', or a "
            f"torch.device, got {device!r} ({type(device).__name__})"
        )
    try:
        resolved = torch.device(device)
    except RuntimeError:
        raise ValueError(
            f"{name} must be 'auto', 'cpu', 'cuda' or 'cuda:N' (or another torch device type), "
            f"got {device!r}"
        ) from None
    if resolved.type == "cuda":
        _check_cuda(resolved, name)
    elif resolved.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(
            f"{name} must be 'auto' or 'cpu' here (MPS is not available), got {str(device)!r}"
        )
    return resolved


def _check_cuda(device: torch.device, name: str) -> None:
    if not torch.backends.cuda.is_built():
        raise ValueError(
            f"{name} must be 'auto' or 'cpu' with this torch ({torch.__version__} has no CUDA; "
            f"install a CUDA build to use a GPU), got {str(device)!r}"
        )
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if count == 0:
        raise ValueError(
            f"{name} must be 'auto' or 'cpu' on this machine (torch sees no CUDA GPU), "
            f"got {str(device)!r}"
        )
    if device.index is not None and device.index >= count:
        raise ValueError(
            f"{name} must name an existing GPU (cuda:0 .. cuda:{count - 1}), got {str(device)!r}"
        )
