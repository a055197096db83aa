"""Session state on disk as safetensors + JSON, never pickle.

``torch.save`` would pickle the optimiser state, and loading a pickle runs arbitrary code, so a
checkpoint from a shared blob store could attack whoever resumes it. Instead every tensor goes
into a safetensors file and the small non-tensor structure (hyper-parameters, step counts that
are plain numbers, the parameter order) into JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from kitchen.errors import ResumeError

__all__ = [
    "FORMAT_VERSION",
    "flatten_optimizer",
    "read_json",
    "read_tensors",
    "unflatten_optimizer",
    "write_json",
    "write_tensors",
]

FORMAT_VERSION = 1

_Scalar = bool | int | float | str | None


def flatten_optimizer(state: dict[str, Any]) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Split ``optimizer.state_dict()`` into tensors and a JSON-able skeleton.

    Args:
        state: What ``torch.optim.Optimizer.state_dict()`` returned.

    Returns:
        ``(tensors, skeleton)``: tensors keyed ``"state.<param index>.<name>"``, and the rest.

    Raises:
        TypeError: A value is neither a tensor nor a JSON scalar (an optimiser we do not know).
    """
    tensors: dict[str, torch.Tensor] = {}
    per_param: dict[str, dict[str, _Scalar]] = {}
    for index, entries in state["state"].items():
        scalars: dict[str, _Scalar] = {}
        for name, value in entries.items():
            if isinstance(value, torch.Tensor):
                tensors[f"state.{index}.{name}"] = value.detach().cpu().contiguous()
            else:
                scalars[name] = _scalar(value, f"state.{index}.{name}")
        per_param[str(index)] = scalars
    groups = [
        {key: _group_value(value, key) for key, value in group.items()}
        for group in state["param_groups"]
    ]
    return tensors, {"state": per_param, "param_groups": groups}


def unflatten_optimizer(
    tensors: dict[str, torch.Tensor], skeleton: dict[str, Any]
) -> dict[str, Any]:
    """Rebuild the ``state_dict`` that :func:`flatten_optimizer` split.

    Args:
        tensors: The tensors read back from safetensors.
        skeleton: The JSON part.

    Returns:
        A dict fit for ``optimizer.load_state_dict``.
    """
    state: dict[int, dict[str, Any]] = {
        int(index): dict(scalars) for index, scalars in skeleton["state"].items()
    }
    for key, tensor in tensors.items():
        _, index, name = key.split(".", 2)
        state.setdefault(int(index), {})[name] = tensor
    groups = []
    for group in skeleton["param_groups"]:
        # JSON turned tuples (AdamW's betas) into lists; "params" is the one real list.
        groups.append(
            {k: tuple(v) if isinstance(v, list) and k != "params" else v for k, v in group.items()}
        )
    return {"state": state, "param_groups": groups}


def write_tensors(path: Path, tensors: dict[str, torch.Tensor]) -> None:
    """Write tensors (moved to the CPU, made contiguous) to a safetensors file."""
    save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, str(path))


def read_tensors(path: Path) -> dict[str, torch.Tensor]:
    """Read a safetensors file onto the CPU, or raise :class:`ResumeError` naming it."""
    if not path.is_file():
        raise ResumeError(f"checkpoint is incomplete: {path} is missing")
    return load_file(str(path), device="cpu")


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON with a stable key order, so two saves of one state are byte-identical."""
    path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")


def read_json(path: Path) -> dict[str, Any]:
    """Read a JSON object, or raise :class:`ResumeError` naming the file."""
    if not path.is_file():
        raise ResumeError(f"checkpoint is incomplete: {path} is missing")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ResumeError(f"{path} does not hold a JSON object")
    return data


def _scalar(value: object, where: str) -> _Scalar:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"optimizer state {where} has a {type(value).__name__}; cannot store it")


def _group_value(value: object, key: str) -> _Scalar | list[_Scalar]:
    if isinstance(value, list | tuple):
        return [_scalar(v, f"param_groups.{key}") for v in value]
    return _scalar(value, f"param_groups.{key}")
