"""``OpenAICompatibleModel``: the task Model over an OpenAI-style ``/chat/completions`` API.

Works with OpenAI and with local servers that speak its protocol (vLLM, llama.cpp's server,
Ollama, SGLang). One request per conversation, up to ``max_concurrency`` at a time. Token
counts come from the response's ``usage``; a server that returns none is counted with
tiktoken's offline cl100k encoding (:func:`kitchen.tasks.tokens.count_tokens`). The API key is
read from an environment variable when a request is built and never logged or put in an error.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from kitchen.errors import ConfigError, ModelAPIError
from kitchen.tasks._types import GenerateConfig, Generation, StopReason
from kitchen.tasks.tokens import count_tokens
from kitchen.types import Message

__all__ = ["OpenAICompatibleModel"]

_FINISH: dict[str, StopReason] = {"stop": "stop", "length": "max_tokens"}
_RETRY_STATUS = (429, 502, 503, 504)


class OpenAICompatibleModel:
    """Implements the task Model by POSTing to ``{base_url}/chat/completions``."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 120.0,
        max_concurrency: int = 8,
        max_retries: int = 2,
        name: str | None = None,
    ) -> None:
        """Configure the endpoint.

        Args:
            base_url: The API root, e.g. ``http://127.0.0.1:8000/v1``.
            model: The model name the server knows.
            api_key_env: The environment variable holding the key; when it is unset or empty
                no ``Authorization`` header is sent (local servers need none).
            timeout: Seconds per request.
            max_concurrency: Requests in flight at once.
            max_retries: Retries after 429, 502, 503 and 504 answers, with a growing pause.
            name: The name in results (default: ``model``).
        """
        if max_concurrency < 1 or timeout <= 0 or max_retries < 0:
            raise ConfigError(
                "OpenAICompatibleModel: need max_concurrency >= 1, timeout > 0 and "
                f"max_retries >= 0; got {max_concurrency}, {timeout}, {max_retries}"
            )
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.name = name or model
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.max_concurrency = max_concurrency
        self.max_retries = max_retries

    def __repr__(self) -> str:
        return f"OpenAICompatibleModel({self.url!r}, {self.model!r})"

    def generate(
        self, prompts: Sequence[Sequence[Message]], config: GenerateConfig
    ) -> list[Generation]:
        """One request per conversation, ``max_concurrency`` at a time, results in order.

        Raises:
            ModelAPIError: a request failed (connection, HTTP status, malformed answer).
        """
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env, "")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        with httpx.Client(timeout=self.timeout, headers=headers) as client:
            if len(prompts) <= 1 or self.max_concurrency == 1:
                return [self._one(client, p, config) for p in prompts]
            workers = min(self.max_concurrency, len(prompts))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kitchen-api") as pool:
                return list(pool.map(lambda p: self._one(client, p, config), prompts))

    def _body(self, messages: Sequence[Message], config: GenerateConfig) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": config.max_new_tokens,
            "temperature": config.temperature,
            "top_p": config.top_p,
        }
        if config.stop:
            body["stop"] = list(config.stop)
        return body

    def _one(
        self, client: httpx.Client, messages: Sequence[Message], config: GenerateConfig
    ) -> Generation:
        started = time.perf_counter()
        payload = self._post(client, self._body(messages, config))
        latency = time.perf_counter() - started
        try:
            choice = payload["choices"][0]
            text = choice["message"]["content"] or ""
            finish = choice.get("finish_reason") or ""
        except (KeyError, IndexError, TypeError) as error:
            raise ModelAPIError(
                f"{self.url}: the answer has no choices[0].message.content "
                f"({type(error).__name__}: {error}); got {json.dumps(payload)[:300]}"
            ) from None
        if not isinstance(text, str):
            raise ModelAPIError(f"{self.url}: choices[0].message.content is not text")
        usage = payload.get("usage") if isinstance(payload, dict) else None
        if isinstance(usage, dict) and "prompt_tokens" in usage and "completion_tokens" in usage:
            input_tokens, output_tokens = (
                int(usage["prompt_tokens"]),
                int(usage["completion_tokens"]),
            )
        else:
            input_tokens = sum(count_tokens(m.content) for m in messages)
            output_tokens = count_tokens(text)
        reason = _FINISH.get(finish, "other" if finish else "stop")
        return Generation(text, input_tokens, output_tokens, latency, reason)

    def _post(self, client: httpx.Client, body: dict[str, Any]) -> Any:
        for attempt in range(self.max_retries + 1):
            try:
                response = client.post(self.url, json=body)
            except httpx.TimeoutException:
                raise ModelAPIError(
                    f"{self.url}: no answer within {self.timeout:g} s", title="Model API timeout"
                ) from None
            except httpx.HTTPError as error:
                raise ModelAPIError(
                    f"{self.url}: cannot connect ({type(error).__name__}: {error}); is the "
                    "server running and the base_url right?"
                ) from None
            if response.status_code in _RETRY_STATUS and attempt < self.max_retries:
                time.sleep(0.5 * 2**attempt)
                continue
            if response.status_code >= 400:
                raise ModelAPIError(
                    f"{self.url}: HTTP {response.status_code} {response.reason_phrase}: "
                    f"{response.text[:500]}"
                )
            try:
                return response.json()
            except ValueError:
                raise ModelAPIError(
                    f"{self.url}: the answer is not JSON: {response.text[:300]!r}"
                ) from None
        raise AssertionError("unreachable")  # the loop returns or raises
