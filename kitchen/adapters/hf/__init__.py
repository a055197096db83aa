"""Hugging Face adapters: tokenizer, dataset source and hub.

Importing this package imports nothing heavy; each adapter imports ``transformers``,
``datasets`` or ``huggingface_hub`` inside the functions that need them.
"""

from kitchen.adapters.hf.dataset import HFDatasetSource
from kitchen.adapters.hf.hub import HFHub
from kitchen.adapters.hf.tokenizer import HFTokenizer, load_tokenizer

__all__ = ["HFDatasetSource", "HFHub", "HFTokenizer", "load_tokenizer"]
