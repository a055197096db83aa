"""The local torch/transformers training backend.

Names resolve lazily, so importing one submodule (``device``, say) does not pull in
``transformers`` as well.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kitchen.adapters.torch.backend import TorchBackend
    from kitchen.adapters.torch.device import select_device
    from kitchen.adapters.torch.sampler import TorchSampler
    from kitchen.adapters.torch.session import TorchSession

__all__ = ["TorchBackend", "TorchSampler", "TorchSession", "select_device"]

_HOMES = {
    "TorchBackend": "kitchen.adapters.torch.backend",
    "TorchSampler": "kitchen.adapters.torch.sampler",
    "TorchSession": "kitchen.adapters.torch.session",
    "select_device": "kitchen.adapters.torch.device",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
