"""OpenAICompatibleModel against a local stub server (no network): usage counts, the tiktoken
fallback, concurrency, and clear errors for HTTP 500, bad JSON and a refused connection."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from kitchen.tasks import GenerateConfig, ModelAPIError, OpenAICompatibleModel, count_tokens
from kitchen.types import Message


class Stub(BaseHTTPRequestHandler):
    """Answers /v1/chat/completions as the server's ``mode`` says; records requests."""

    mode = "usage"
    requests: ClassVar[list[tuple[str, dict[str, Any], str]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Stub.requests.append((self.path, body, self.headers.get("Authorization", "")))
        last = body["messages"][-1]["content"]
        if Stub.mode == "error":
            self._send(500, b'{"error": "model exploded"}')
            return
        if Stub.mode == "garbage":
            self._send(200, b"<html>not json</html>")
            return
        reply: dict[str, Any] = {
            "choices": [
                {"message": {"role": "assistant", "content": f"echo {last}"},
                 "finish_reason": "length" if "long" in last else "stop"}
            ]
        }  # fmt: skip
        if Stub.mode == "usage":
            reply["usage"] = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
        self._send(200, json.dumps(reply).encode())

    def _send(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    Stub.requests = []
    Stub.mode = "usage"
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


PROMPTS = [[Message("system", "be terse"), Message("user", f"q{i}")] for i in range(5)]


def test_usage_counts_order_and_request_body(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUB_KEY", "sk-secret")
    model = OpenAICompatibleModel(server, "stub-1", api_key_env="STUB_KEY", max_concurrency=3)
    config = GenerateConfig(max_new_tokens=9, temperature=0.5, stop=("\n\n",))
    out = model.generate(PROMPTS, config)
    assert [g.text for g in out] == [f"echo q{i}" for i in range(5)]
    assert all(g.input_tokens == 11 and g.output_tokens == 7 for g in out)
    assert all(g.stop_reason == "stop" and g.latency_s > 0 for g in out)
    path, body, auth = Stub.requests[0]
    assert path == "/v1/chat/completions" and auth == "Bearer sk-secret"
    assert body["model"] == "stub-1" and body["max_tokens"] == 9 and body["stop"] == ["\n\n"]
    assert body["messages"][0] == {"role": "system", "content": "be terse"}
    assert "sk-secret" not in repr(model)


def test_tiktoken_fallback_without_usage(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    Stub.mode = "bare"
    model = OpenAICompatibleModel(server, "stub")
    [gen] = model.generate([[Message("user", "a long question")]], GenerateConfig())
    assert gen.input_tokens == count_tokens("a long question") == 3
    assert gen.output_tokens == count_tokens("echo a long question")
    assert gen.stop_reason == "max_tokens"
    assert Stub.requests[0][2] == ""  # no key, no Authorization header


def test_http_500_is_a_clear_error(server: str) -> None:
    Stub.mode = "error"
    model = OpenAICompatibleModel(server, "stub")
    with pytest.raises(ModelAPIError, match=r"/v1/chat/completions: HTTP 500.*model exploded"):
        model.generate(PROMPTS[:1], GenerateConfig())


def test_bad_json_is_a_clear_error(server: str) -> None:
    Stub.mode = "garbage"
    with pytest.raises(ModelAPIError, match="not JSON"):
        OpenAICompatibleModel(server, "stub").generate(PROMPTS[:1], GenerateConfig())


def test_connection_refused_names_the_url() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free once closed: nothing listens there
    model = OpenAICompatibleModel(f"http://127.0.0.1:{port}/v1", "stub", timeout=5)
    with pytest.raises(ModelAPIError, match=rf"127\.0\.0\.1:{port}/v1/chat/completions: cannot"):
        model.generate(PROMPTS[:1], GenerateConfig())
