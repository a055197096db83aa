"""One contract for every training backend: the fake and the local torch one.

Each test states an invariant a stage relies on (loss falls, resume is exact, eval is read-only,
seeds reproduce), so a new backend passes by behaving, not by looking alike.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kitchen.adapters.fake.training import FakeBackend
from kitchen.errors import ConfigError, DataError, TrainingError
from kitchen.ports.training import Device, SessionSpec, TrainingBackend, TrainingSession
from kitchen.types import Datum, SamplingParams

TEXTS = (
    "user: 12+35\nassistant: 47",
    "user: 7+8\nassistant: 15",
    "user: 120+5\nassistant: 125",
    "the cat sat on the mat",
)


@dataclasses.dataclass(frozen=True)
class Case:
    """A backend under test, the spec it starts from and a learning rate that moves it.

    ``exact`` is False where the hardware sums in a nondeterministic order (CUDA's attention
    and embedding backward passes): there reproducibility holds to rounding, not to the bit.
    """

    backend: TrainingBackend
    spec: SessionSpec
    lr: float
    exact: bool = True

    def start(self, **changes: Any) -> TrainingSession:
        return self.backend.start_session(dataclasses.replace(self.spec, **changes))

    def same(self, got: list[float], expected: list[float]) -> bool:
        return got == expected if self.exact else got == pytest.approx(expected, rel=1e-3)


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    """Run the tiny model on one thread, then restore the process's setting.

    At this size a second thread buys nothing, and on a shared two-core machine intra-op threads
    wait on each other at every barrier: one thread made these tests 2-4x faster under load.
    """
    try:
        import torch
    except ImportError:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kitchen.models.tiny import ensure_tiny_model

    # One home for the whole test session: the build takes seconds, reuse is instant.
    return ensure_tiny_model(tmp_path_factory.getbasetemp() / "shared-kitchen-home")


@pytest.fixture(params=["fake", "torch", pytest.param("torch-cuda", marks=pytest.mark.gpu)])
def case(request: pytest.FixtureRequest) -> Case:
    if request.param == "fake":
        return Case(FakeBackend(), SessionSpec(model="fake", seed=3), lr=0.05)
    pytest.importorskip("torch")
    from kitchen.adapters.torch import TorchBackend

    model_dir = request.getfixturevalue("tiny_model_dir")
    device: Device = "cuda" if request.param == "torch-cuda" else "cpu"
    spec = SessionSpec(model="kitchen/tiny", model_dir=model_dir, seed=3, device=device)
    return Case(TorchBackend(), spec, lr=1e-3, exact=device == "cpu")


@pytest.fixture
def session(case: Case) -> Iterator[TrainingSession]:
    live = case.start()
    yield live
    live.close()


def batch_for(session: TrainingSession) -> list[Datum]:
    """The fixed batch: every token after BOS is a target, except in the last example."""
    tok = session.tokenizer
    bos = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
    batch = []
    for i, text in enumerate(TEXTS):
        ids = (bos, *tok.encode(text), tok.eos_token_id)
        # The last example trains on its second half only, like a completion.
        mask = tuple(int(i < 3 or j >= len(ids) // 2) for j in range(len(ids)))
        batch.append(Datum(ids, mask))
    return batch


def train(session: TrainingSession, batch: list[Datum], lr: float, steps: int) -> list[float]:
    losses = []
    for _ in range(steps):
        losses.append(session.forward_backward(batch).loss)
        session.optim_step(lr)
    return losses


def test_loss_falls_on_a_fixed_batch(session: TrainingSession, case: Case) -> None:
    losses = train(session, batch_for(session), case.lr, steps=8)
    assert losses[-1] < 0.9 * losses[0]
    assert all(b < a for a, b in itertools.pairwise(losses))


def test_step_result_counts_tokens(session: TrainingSession) -> None:
    batch = batch_for(session)
    result = session.forward_backward(batch)
    assert result.num_tokens == sum(len(d.input_ids) for d in batch)
    # Position 0 has nothing before it, so it never counts as a target.
    assert result.num_loss_tokens == sum(sum(d.loss_mask[1:]) for d in batch)


def test_optim_step_reports_pre_clip_grad_norm(case: Case) -> None:
    session = case.start(max_grad_norm=1e-3)
    session.forward_backward(batch_for(session))
    result = session.optim_step(case.lr)
    assert result.lr == case.lr
    assert result.grad_norm > 1e-3  # the norm before clipping, not the clipped 1e-3
    # Gradients were zeroed: an optimiser step without a backward pass sees none.
    assert session.optim_step(case.lr).grad_norm == 0.0


def test_same_seed_gives_identical_losses(case: Case) -> None:
    first, second = case.start(), case.start()
    batch = batch_for(first)
    assert case.same(train(first, batch, case.lr, 4), train(second, batch, case.lr, 4))


def test_resume_continues_exactly(case: Case, tmp_path: Path) -> None:
    original = case.start()
    batch = batch_for(original)
    train(original, batch, case.lr, 3)
    original.save_state(tmp_path / "state")
    expected = train(original, batch, case.lr, 3)

    # Another seed: everything that matters must come from the checkpoint.
    resumed = case.start(seed=99)
    resumed.load_state(tmp_path / "state")
    assert case.same(train(resumed, batch, case.lr, 3), expected)


def test_eval_loss_leaves_weights_alone(case: Case) -> None:
    probed, plain = case.start(), case.start()
    batch = batch_for(probed)
    before = probed.eval_loss(batch)
    assert probed.eval_loss(batch).loss == before.loss
    assert before.num_loss_tokens == probed.forward_backward(batch).num_loss_tokens
    probed.optim_step(case.lr)
    plain.forward_backward(batch)
    plain.optim_step(case.lr)
    after = probed.eval_loss(batch).loss
    assert case.same([after], [plain.eval_loss(batch).loss])
    assert after != before.loss


def test_save_model_writes_a_loadable_model(case: Case, tmp_path: Path) -> None:
    session = case.start()
    batch = batch_for(session)
    train(session, batch, case.lr, 2)
    session.save_model(tmp_path / "model")
    reloaded = case.start(model_dir=tmp_path / "model", seed=7)
    assert reloaded.eval_loss(batch).loss == pytest.approx(session.eval_loss(batch).loss, rel=1e-5)


def test_sampler_greedy_is_deterministic_and_bounded(session: TrainingSession) -> None:
    prompts = [d.input_ids[:6] for d in batch_for(session)]
    params = SamplingParams(max_new_tokens=5)
    first = session.sampler().sample(prompts, params)
    assert first == session.sampler().sample(prompts, params)
    assert len(first) == len(prompts)
    assert all(0 < len(ids) <= 5 for ids in first)
    vocab = session.tokenizer.vocab_size
    assert all(0 <= i < vocab for ids in first for i in ids)


def test_sampler_stops_at_a_stop_token_and_keeps_it(session: TrainingSession) -> None:
    prompt = batch_for(session)[0].input_ids[:6]
    greedy = session.sampler().sample([prompt], SamplingParams(max_new_tokens=4))[0]
    stopped = session.sampler().sample(
        [prompt], SamplingParams(max_new_tokens=4, stop_token_ids=(greedy[0],))
    )
    assert stopped == [[greedy[0]]]


def test_sampling_with_temperature_is_seeded(case: Case) -> None:
    prompts = [d.input_ids[:4] for d in batch_for(case.start())]
    params = SamplingParams(max_new_tokens=6, temperature=1.0, top_p=0.9)
    first = case.start().sampler().sample(prompts, params)
    assert first == case.start().sampler().sample(prompts, params)
    assert all(len(ids) <= 6 for ids in first)


def test_bad_inputs_raise_kitchen_errors(session: TrainingSession) -> None:
    with pytest.raises(DataError):
        session.forward_backward([])
    with pytest.raises(DataError, match="no target"):
        session.forward_backward([Datum((1, 5, 6), (1, 0, 0))])
    with pytest.raises(DataError, match="vocabulary"):
        session.forward_backward([Datum((1, 10**7), (1, 1))])
    with pytest.raises(ConfigError, match="lr"):
        session.optim_step(-1.0)
    with pytest.raises(ConfigError, match="top_p"):
        session.sampler().sample([[1, 5]], SamplingParams(top_p=0.0))


def test_facts(session: TrainingSession, case: Case) -> None:
    assert 0 < session.num_trainable_parameters <= session.num_parameters
    assert session.device.split(":")[0] == (
        "cpu" if case.spec.device == "auto" else case.spec.device
    )


def test_closed_session_refuses_work(case: Case) -> None:
    session = case.start()
    batch = batch_for(session)
    session.close()
    with pytest.raises(TrainingError, match="closed"):
        session.forward_backward(batch)


def test_logprobs_are_aligned_targets_and_sum_to_the_loss(session: TrainingSession) -> None:
    batch = batch_for(session)
    rows = session.logprobs(batch)
    assert [len(r) for r in rows] == [len(d.input_ids) for d in batch]
    total, count = 0.0, 0
    for row, datum in zip(rows, batch, strict=True):
        for i, (value, scored) in enumerate(zip(row, datum.loss_mask, strict=True)):
            if i == 0 or not scored:
                assert value == 0.0
            else:
                assert value < 0.0
                total, count = total + value, count + 1
    # The mean negative log-probability of the targets is the cross-entropy the loss reports.
    assert -total / count == pytest.approx(session.eval_loss(batch).loss, rel=1e-4)


def test_unknown_objectives_are_refused_clearly(session: TrainingSession, case: Case) -> None:
    from kitchen.ports.training import LossSpec

    batch = batch_for(session)
    if isinstance(case.backend, FakeBackend):
        with pytest.raises(ConfigError, match="cross_entropy only"):
            session.forward_backward(batch, LossSpec("dpo"))
        return
    with pytest.raises(DataError, match="ref_logprob"):
        session.forward_backward(batch, LossSpec("dpo", {"beta": 0.1}))
    with pytest.raises(DataError, match="pairs"):
        session.forward_backward(batch[:3], LossSpec("dpo"))
