"""Models Kitchen can build or resolve: the offline tiny Llama and name-to-folder resolution."""

from kitchen.models.resolve import resolve_model
from kitchen.models.tiny import TINY_MODEL_ID, ensure_tiny_model

__all__ = ["TINY_MODEL_ID", "ensure_tiny_model", "resolve_model"]
