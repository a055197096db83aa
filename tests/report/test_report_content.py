"""What a report states: numbers checked against independent computations, secrets dropped,
text escaped, nothing fetched from outside, every format for every kind of target."""

from __future__ import annotations

import json
import math
import re
import zlib
from functools import cache
from html.parser import HTMLParser

import pytest
from scipy import stats

from kitchen.errors import ConfigError, NotFoundError
from kitchen.report import assemble, build_report
from kitchen.report.secrets import is_secret_key, public_params
from tests.report.conftest import HOSTILE, SECRET_VALUE, Seeded

FORMATS = ("html", "md", "json", "pdf")


@pytest.fixture(scope="module")
def reports(seeded: Seeded) -> dict[tuple[str, str], bytes]:
    """Every format of every target, rendered once for the module."""
    targets = {"full": seeded.full, "bare": seeded.bare, "sweep": "sweep", "group": "arith"}
    return {
        (name, fmt): build_report(seeded.store, target, fmt)
        for name, target in targets.items()
        for fmt in FORMATS
    }


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in ("src", "href", "xlink:href", "action")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@cache
def _parse(body: bytes) -> _Links:
    parser = _Links()
    parser.feed(body.decode("utf-8"))
    parser.close()
    return parser


def _wilson(k: float, n: int) -> tuple[float, float]:
    z = stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf))


def _pdf_text(pdf: bytes) -> bytes:
    """The text drawn on the PDF's pages: every ``TJ``/``Tj`` string of every inflated stream,
    kerning dropped (matplotlib writes ``[ (l) -0.29 (e) ... ] TJ``), one show operator a line."""
    shown = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            body = zlib.decompress(raw)
        except zlib.error:
            body = raw  # not deflated
        for array, single in re.findall(rb"\[(.*?)\]\s*TJ|\(((?:\\.|[^\\)])*)\)\s*Tj", body, re.S):
            parts = re.findall(rb"\(((?:\\.|[^\\)])*)\)", array) if array else [single]
            text = b"".join(re.sub(rb"\\(.)", rb"\1", part) for part in parts)
            if len(text) % 2 == 0 and text[::2].strip(b"\x00") == b"":
                text = text.decode("utf-16-be").encode()  # two-byte codes (Type 42 fonts)
            shown.append(text)
    return b"\n".join(shown)


@pytest.mark.parametrize("target", ["full", "bare", "sweep", "group"])
def test_every_format_renders(reports: dict[tuple[str, str], bytes], target: str) -> None:
    page = _parse(reports[(target, "html")])
    assert "main" in page.tags and "table" in page.tags
    assert reports[(target, "md")].startswith(b"# ")
    data = json.loads(reports[(target, "json")])
    assert data["schema"] == "kitchen.report/1"
    assert data["kind"] == ("experiment" if target in ("sweep", "group") else "run")
    pdf = reports[(target, "pdf")]
    assert pdf.startswith(b"%PDF") and _pages(pdf) >= 2


def test_html_is_self_contained_and_escapes_sample_text(
    reports: dict[tuple[str, str], bytes],
) -> None:
    for target in ("full", "bare", "sweep", "group"):
        page = _parse(reports[(target, "html")])
        external = [u for u in page.urls if not u.startswith(("#", "data:"))]
        assert external == [], f"{target}: {external}"
        assert "script" not in page.tags and "link" not in page.tags
    full = reports[("full", "html")]
    assert b"&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in full
    assert HOSTILE in "".join(_parse(full).text)  # shown as text, whole
    md = reports[("full", "md")]
    assert b"<script>" not in md and b"&lt;script&gt;" in md


def test_evaluation_numbers_match_an_independent_computation(
    seeded: Seeded, reports: dict[tuple[str, str], bytes]
) -> None:
    data = json.loads(reports[("full", "json")])["run"]
    (task,) = data["evals"]
    final, base = seeded.final_scores, seeded.baseline_scores
    n = len(final)
    assert (task["task"], task["phase"], task["step"], task["n"], task["epochs"]) == (
        "arith",
        "eval",
        120,
        n,
        1,
    )
    assert task["mean"] == pytest.approx(sum(final) / n)
    low, high = _wilson(sum(final), n)
    assert (task["ci"]["low"], task["ci"]["high"]) == (pytest.approx(low), pytest.approx(high))
    assert task["baseline_mean"] == pytest.approx(sum(base) / n)
    # McNemar on the discordant pairs, as scipy computes it.
    n10 = sum(1 for f, b in zip(final, base, strict=True) if f == 1 and b == 0)
    n01 = sum(1 for f, b in zip(final, base, strict=True) if f == 0 and b == 1)
    if n10 + n01 < 25:
        p = stats.binomtest(min(n10, n01), n10 + n01, 0.5).pvalue
    else:
        p = stats.chi2.sf((abs(n10 - n01) - 1) ** 2 / (n10 + n01), 1)
    test = task["vs_baseline"]
    assert test["test"].startswith("McNemar")
    assert test["p_value"] == pytest.approx(p)
    assert test["estimate"] == pytest.approx((n10 - n01) / n)
    assert test["effect_name"] == "h" and test["verdict"].startswith(
        "final is better than baseline"
    )
    counts = {b["low"]: b["count"] for b in task["histogram"]}
    assert counts == {0.0: final.count(0.0), 1.0: final.count(1.0)}
    groups = {g["value"]: g for g in task["groups"]}
    odd = [s for i, s in enumerate(final) if i % 2]
    assert groups["algebra"]["n"] == len(odd) and groups["algebra"]["mean"] == pytest.approx(
        sum(odd) / len(odd)
    )
    assert task["input_tokens_mean"] == pytest.approx(sum(20 + i % 7 for i in range(n)) / n)
    samples = task["samples"]
    assert len(samples) == min(50, n) and task["samples_total"] == n
    assert [s["score"] for s in samples] == sorted(s["score"] for s in samples)  # failures first
    assert all(len(s["input"]) <= 240 for s in samples)


def test_run_sections(reports: dict[tuple[str, str], bytes], seeded: Seeded) -> None:
    run = json.loads(reports[("full", "json")])["run"]
    header = run["header"]
    assert (header["recipe"], header["status"], header["seed"], header["git_commit"]) == (
        "sft",
        "succeeded",
        7,
        "abc1234",
    )
    assert (header["model"], header["dataset"], header["experiment"]) == (
        "tiny-llama",
        "kitchen/arithmetic",
        "arith",
    )
    metrics = {m["key"]: m for m in run["metrics"]}
    assert metrics["eval/exact_match"]["baseline"] == 0.3 and metrics["eval/exact_match"][
        "delta"
    ] == pytest.approx(0.4)
    assert "baseline/exact_match" not in metrics
    curves = {c["key"]: c for c in run["curves"]}
    assert list(curves) == ["train/loss", "train/lr", "eval/exact_match"]
    assert curves["train/loss"]["total_points"] == 120
    assert curves["train/loss"]["values"][0] == pytest.approx(3.0)
    assert [s["duration_s"] for s in run["stages"]] == [0.4, 12.5, 3.25]
    assert any(e["relation"] == "trained_on" for e in run["lineage"])
    assert [(m["model"], m["version"], m["aliases"]) for m in run["models"]] == [
        ("tiny", 1, ["champion"])
    ]
    bare = json.loads(reports[("bare", "json")])["run"]
    assert bare["evals"] == [] and bare["header"]["error"] == "TrainingError: NaN loss"
    assert b"No per-sample evaluation results" in reports[("bare", "html")]


def test_secrets_never_reach_a_report(
    reports: dict[tuple[str, str], bytes], seeded: Seeded
) -> None:
    data = assemble(seeded.store, seeded.full)
    assert data.run is not None
    assert data.run.secrets_dropped == 3
    assert set(data.run.config) == {"dataset", "learning_rate", "model", "pad_token"}
    for fmt in ("html", "md", "json", "pdf"):
        body = reports[("full", fmt)]
        if fmt == "pdf":
            body = _pdf_text(body)
            assert b"learning_rate" in body  # the inflated text is searchable: the check can fail
        for secret in (b"plain-secret-value", b"hf_abcdefghijklmnop", SECRET_VALUE.encode()):
            assert secret not in body, (fmt, secret)


def test_secret_keys() -> None:
    for key in (
        "api_key",
        "openai.api_key",
        "hub.token",
        "HF_TOKEN",
        "db_password",
        "client_secret",
        "auth",
    ):
        assert is_secret_key(key), key
    for key in ("max_tokens", "tokenizer", "pad_token", "eos_token", "author", "learning_rate"):
        assert not is_secret_key(key), key
    kept, dropped = public_params({"a": {"token": "x", "b": 1}, "c": "ghp_abcdefghijkl123"})
    assert (kept, dropped) == ({"a.b": 1}, 2)


def test_json_has_no_nan_and_round_trips(reports: dict[tuple[str, str], bytes]) -> None:
    for target in ("full", "bare", "sweep", "group"):
        text = reports[(target, "json")].decode()

        def refuse(token: str, where: str = target) -> None:
            raise AssertionError(f"{where}: non-standard JSON number {token}")

        data = json.loads(text, parse_constant=refuse)
        assert json.loads(json.dumps(data)) == data


def test_compare_to_another_run(seeded: Seeded) -> None:
    data = json.loads(build_report(seeded.store, seeded.full, "json", compare_to=seeded.other))
    (comparison,) = data["run"]["comparisons"]
    final, other = seeded.final_scores, seeded.other_scores
    assert comparison["n_pairs"] == len(final) and comparison["task"] == "arith"
    assert comparison["mean_this"] == pytest.approx(sum(final) / len(final))
    assert comparison["mean_other"] == pytest.approx(sum(other) / len(other))
    assert comparison["test"]["estimate"] == pytest.approx(
        comparison["mean_this"] - comparison["mean_other"]
    )
    html = build_report(seeded.store, seeded.full, "html", compare_to=seeded.other)
    assert b"Paired comparison with sft-other" in html
    none = json.loads(build_report(seeded.store, seeded.full, "json", compare_to=seeded.bare))
    assert (
        none["run"]["comparisons"] == []
        and "share no evaluated task" in none["run"]["comparison_note"]
    )


def test_batch_experiment_analysis(reports: dict[tuple[str, str], bytes], seeded: Seeded) -> None:
    exp = json.loads(reports[("sweep", "json")])["experiment"]
    assert exp["batch"] and exp["metric"] == "eval/exact_match"
    conditions = {c["name"]: c for c in exp["conditions"]}
    for name, values in seeded.sweep.items():
        assert conditions[name]["n"] == len(values)
        assert conditions[name]["mean"] == pytest.approx(sum(values) / len(values))
        half = stats.t.ppf(0.975, len(values) - 1) * stats.tstd(values) / math.sqrt(len(values))
        assert conditions[name]["ci"]["high"] == pytest.approx(sum(values) / len(values) + half)
    pairs = {(p["a"], p["b"]): p for p in exp["pairwise"]}
    assert set(pairs) == {("low", "mid"), ("low", "high"), ("mid", "high")}
    welch = stats.ttest_ind(seeded.sweep["low"], seeded.sweep["high"], equal_var=False)
    assert pairs[("low", "high")]["p_value"] == pytest.approx(welch.pvalue)
    assert all(p["p_adjusted"] >= p["p_value"] for p in pairs.values())
    assert exp["omnibus"]["test"] == "one-way ANOVA" and exp["best"] == "high"
    (dead,) = exp["dead_letter"]
    assert (dead["condition"], dead["seed"], len(dead["attempts"])) == ("high", 4, 2)
    html = reports[("sweep", "html")]
    assert b"Dead letter" in html and b"by condition (mean, 95% CI, seeds)" in html


def test_plain_experiment_lists_its_runs(
    reports: dict[tuple[str, str], bytes], seeded: Seeded
) -> None:
    exp = json.loads(reports[("group", "json")])["experiment"]
    assert not exp["batch"] and exp["conditions"] == []
    assert {r["id"] for r in exp["runs"]} == {seeded.full, seeded.bare, seeded.other}


def test_unknown_targets_and_formats(seeded: Seeded) -> None:
    with pytest.raises(NotFoundError, match="no run or experiment named 'nothing-here'"):
        build_report(seeded.store, "nothing-here", "html")
    with pytest.raises(ConfigError, match="unknown report format"):
        build_report(seeded.store, seeded.full, "docx")
    with pytest.raises(ConfigError, match="--compare works with a run"):
        build_report(seeded.store, "sweep", "html", compare_to=seeded.full)


def test_same_store_same_bytes(seeded: Seeded, reports: dict[tuple[str, str], bytes]) -> None:
    for fmt in FORMATS:
        assert build_report(seeded.store, seeded.full, fmt) == reports[("full", fmt)], fmt
