"""Choose the torch device a session runs on."""

from __future__ import annotations

import torch

from kitchen.errors import ConfigError

__all__ = ["select_device"]

_CHOICES = ("auto", "cpu", "cuda", "mps")


def _mps_available() -> bool:
    # Older or CPU-only builds lack torch.backends.mps entirely.
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def select_device(name: str) -> torch.device:
    """Turn the ``device`` config value into a :class:`torch.device`.

    ``"auto"`` prefers CUDA, then Apple's MPS, then the CPU. Asking for an accelerator that is
    not there is a configuration error rather than a silent fall back to the CPU, which would turn
    a minutes-long run into a days-long one without saying so.

    Args:
        name: ``"auto"``, ``"cpu"``, ``"cuda"`` (or ``"cuda:N"``) or ``"mps"``.

    Returns:
        The device to put the model and batches on.

    Raises:
        ConfigError: ``name`` is unknown or names a device this machine lacks.
    """
    kind = name.split(":", 1)[0]
    if kind not in _CHOICES or (kind != "cuda" and ":" in name):
        raise ConfigError(f"device: unknown device {name!r}; choose one of {', '.join(_CHOICES)}")
    if kind == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if kind == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(
                f"device: {name!r} was asked for but CUDA is not available on this machine "
                "(no GPU, or a CPU-only torch build); use device=auto or device=cpu"
            )
        device = torch.device(name)
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ConfigError(
                f"device: {name!r} does not exist; this machine has "
                f"{torch.cuda.device_count()} CUDA device(s)"
            )
        return device
    if kind == "mps" and not _mps_available():
        raise ConfigError(
            "device: 'mps' was asked for but Apple MPS is not available; "
            "use device=auto or device=cpu"
        )
    return torch.device(kind)
