"""Report route: ``GET /v1/reports/{target}`` answers the bytes of ``kitchen report``.

The records are assembled under the store lock (milliseconds); the rendering, which draws
plots and can take a second, runs outside it so ingest never waits on a report. Matplotlib's
settings are process-global, so renderings take turns on their own lock.
"""

from __future__ import annotations

import re
import threading
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from kitchen.engine.app import EngineState, engine_state
from kitchen.report import MEDIA_TYPES, assemble, render

router = APIRouter()
State = Annotated[EngineState, Depends(engine_state)]
_RENDER_LOCK = threading.Lock()


@router.get(
    "/reports/{target}",
    tags=["reports"],
    response_class=Response,
    responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA_TYPES.values()}}},
)
def report(
    state: State,
    target: str,
    fmt: Annotated[Literal["html", "md", "json", "pdf"], Query(alias="format")] = "html",
    compare: Annotated[str | None, Query(description="Another run to compare with")] = None,
    max_samples: Annotated[int, Query(ge=0, le=10_000, description="Sample rows per task")] = 50,
) -> Response:
    """The report of a run (id or unique prefix) or an experiment, in ``format``.

    Raises:
        NotFoundError: no run or experiment is called ``target`` (404).
        ConfigError: ``compare`` with an experiment (422).
    """
    with state.lock:
        data = assemble(state.store, target, compare_to=compare, max_samples=max_samples)
    with _RENDER_LOCK:
        body = render(data, fmt)
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", f"report-{target}.{fmt}")
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
