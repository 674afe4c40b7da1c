"""Proves training jobs without Streamlit: jobs train, evaluate and keep probe snapshots;
the server-wide cap queues jobs first come first served with their positions; pause, a new learning
rate on resume, stop; a long pause gives the slot to the queue and Resume queues behind it; a
closed tab (no polls, a dead session) stops its job; a race trains RNN, GRU and LSTM exactly like
solo runs; a too high learning rate and bad data end in messages."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import numpy as np
import pytest

from rnnviz.data import corpora
from rnnviz.data.dataset import LABELS
from rnnviz.data.tables import load_table
from rnnviz.training import jobs, training_job, training_task
from rnnviz.training.config import TrainConfig
from rnnviz.training.history import curves
from rnnviz.training.jobs import JobManager
from rnnviz.training.training_job import TrainingJob, TrainingState

TINY = TrainConfig(builtin_size=600, embedding_dim=8, hidden_size=8, batch_size=32, lr=0.01, epochs=2)
LONG = replace(TINY, epochs=200)  # runs until stopped


@pytest.fixture(scope="module", autouse=True)
def _warm():
    jobs.warm_up()


@pytest.fixture
def manager():
    created = []

    def make(**settings) -> JobManager:
        created.append(JobManager(**{"max_running": 2, **settings}))
        return created[-1]

    yield make
    for each in created:
        each.stop_all()


KEPT = re.compile(r"Kept the weights of epoch \d+|the result keeps those")


def wait_for(condition, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def finished(job: TrainingJob, timeout: float = 60.0) -> TrainingState:
    assert job.join(timeout), "the job's thread did not end"
    return job.state()


def test_a_job_trains_evaluates_and_keeps_snapshots(manager):
    job = manager().submit(TrainingJob([TINY]))
    state = finished(job)
    assert state.status == "done" and not state.active
    (run,) = state.runs
    assert run.trainer.status == "done" and run.labels == LABELS
    assert run.result.name == "LSTM 1×8, grammar 0.6k, lr 0.01, 2 ep, seed 0"
    assert run.result.test.n == 600 and run.result.pairs.n_pairs >= 60
    assert state.data == (540, 60, 600)
    drawn = curves(run)
    assert len(drawn.step_x) == run.trainer.total_steps == 2 * 17
    assert list(drawn.val_x) == [0, 1, 2] and len(drawn.train_accuracy) == 3
    probe = job.probe("the movie was not good")
    assert probe.epochs == (0, 1, 2) and probe.tokens == ["the", "movie", "was", "not", "good"]
    assert probe.prefix_probabilities.shape == (3, 5, 2)
    assert probe.quantities["forget"].shape == (3, 5, 8) and probe.default_quantity() == "forget"
    np.testing.assert_allclose(probe.view("forget"), probe.quantities["forget"].mean(-1))
    latest = run.result.classifier.prefix_proba(
        run.result.classifier.tokens_and_ids("the movie was not good")[1]
    )
    best = probe.epochs.index(run.trainer.best_epoch)
    np.testing.assert_allclose(probe.prefix_probabilities[best], latest, atol=1e-6)
    with pytest.raises(ValueError):
        job.probe("   ")


def test_the_cap_queues_jobs_first_come_first_served(manager):
    server = manager(max_running=1)
    first = TrainingJob([LONG])
    first.pause()  # before it starts: it pauses at its first event and keeps the slot
    server.submit(first)
    wait_for(lambda: first.state().status == "paused", what="the first job to pause")
    second, third = server.submit(TrainingJob([TINY])), server.submit(TrainingJob([TINY]))
    wait_for(lambda: third.state().position == 2, what="the third job to queue")
    state = second.state()
    assert state.status == "queued" and state.position == 1
    assert state.message.startswith("Queued, position 1:") and "at most 1 model" in state.message
    assert (server.running, server.queued) == (1, 2)

    second.stop()  # leaving the queue moves the next one up
    assert finished(second).status == "stopped"
    wait_for(lambda: third.state().position == 1, what="the third job to move up")
    first.stop()  # freeing the slot starts the next in line
    assert finished(first).status == "done"
    assert finished(third).status == "done"


def pause_resume_with_a_new_rate_and_stop(job: TrainingJob) -> TrainingState:
    """Pause `job` (training at lr 0.01), check that no step is made while paused, resume with
    lr 0.003, stop it after three steps, check which rate each step used; its last state."""
    job.pause()
    paused_at = wait_for(lambda: job.state().status == "paused" and job.state().step, what="pause")
    time.sleep(0.3)
    assert job.state().step == paused_at  # nothing trains while paused
    job.resume(lr=0.003)
    wait_for(lambda: job.state().step >= paused_at + 3, what="steps after resuming")
    job.stop()
    state = finished(job, timeout=120)
    steps = [e for e in state.runs[0].history if e.kind == "step"]
    assert {e.lr for e in steps[:paused_at]} == {0.01}
    assert {e.lr for e in steps[paused_at:]} == {0.003}
    return state


def test_pause_then_a_new_learning_rate_applies_on_resume(manager):
    job = manager().submit(TrainingJob([LONG]))
    wait_for(lambda: job.state().step >= 3, what="three steps")
    state = pause_resume_with_a_new_rate_and_stop(job)
    assert state.status == "done" and state.stop_reason == "user"
    assert state.runs[0].trainer.status == "stopped" and state.runs[0].result is not None
    done = state.runs[0].trainer.step  # the last snapshot is labelled with the fraction of an epoch
    assert job.probe("not good").epochs[-1] == (done // 17 if done % 17 == 0 else round(done / 17, 1))


def test_a_paused_training_releases_its_slot_after_the_timeout(manager):
    server = manager(max_running=1, pause_release=0.2)
    first = server.submit(TrainingJob([LONG]))
    wait_for(lambda: first.state().step >= 2, what="two steps")
    first.pause()
    second = server.submit(TrainingJob([LONG]))
    wait_for(lambda: second.state().step >= 2, what="the second job to train in the freed slot")
    paused = first.state()
    assert paused.status == "paused" and "its training slot went to others" in paused.message
    assert (server.running, server.queued) == (1, 0)

    first.resume()  # still resumable, now behind the others
    queued = wait_for(lambda: first.state().position and first.state(), what="the first job to queue")
    assert queued.status == "queued" and queued.message.startswith("Queued, position 1:")
    time.sleep(0.3)
    assert first.state().step == paused.step  # nothing trains while it waits for a slot
    second.stop()
    wait_for(lambda: first.state().step > paused.step + 2, what="the first job to train again")
    assert first.state().status == "running" and not first.state().message
    first.stop()
    assert finished(first).status == "done" and finished(second).status == "done"


def test_a_paused_training_keeps_its_slot_before_the_timeout(manager):
    server = manager(max_running=1)  # the default: minutes
    job = TrainingJob([LONG])
    job.pause()
    server.submit(job)
    wait_for(lambda: job.state().status == "paused", what="the pause")
    assert server.running == 1 and not job.state().message
    job.resume()
    wait_for(lambda: job.state().step >= 2, what="steps after resuming")
    job.stop()
    assert finished(job).status == "done"


@pytest.mark.parametrize("pause", [False, True])
def test_a_job_nobody_polls_stops_itself(manager, pause):
    server = manager(abandon_after=0.5, check_every=0.05)
    job = TrainingJob([LONG])
    if pause:
        job.pause()
    server.submit(job)
    state = finished(job, timeout=30)
    assert state.stop_reason == "abandoned" and state.status == "stopped"
    assert "nobody looked at it" in state.message


def test_a_live_session_keeps_its_job_and_a_closed_one_stops_it(manager):
    server = manager(abandon_after=0.5, check_every=0.05)
    connected = [True]
    job = server.submit(TrainingJob([LONG]), alive=lambda: connected[0])
    time.sleep(1.5)  # three times abandon_after without a single touch()
    assert job.state().active and job.stop_requested is None
    connected[0] = False  # the tab was closed: the session is no longer active
    state = finished(job, timeout=30)
    assert state.stop_reason == "abandoned"


def test_a_queued_job_nobody_polls_leaves_the_queue(manager):
    server = manager(max_running=1, abandon_after=0.5, check_every=0.05)
    holder = server.submit(TrainingJob([LONG]), alive=lambda: True)
    waiting = server.submit(TrainingJob([TINY]))
    assert finished(waiting, timeout=30).status == "stopped"
    assert holder.state().active
    holder.stop()


def test_a_race_trains_each_cell_in_turn_exactly_like_a_solo_run(manager):
    server = manager()
    race = server.submit(TrainingJob.race(TINY))
    state = finished(race)
    assert [run.title for run in state.runs] == ["RNN (tanh)", "GRU", "LSTM"]
    assert all(run.result is not None and run.trainer.status == "done" for run in state.runs)
    assert state.step == state.total_steps == 3 * 34
    solo = finished(server.submit(TrainingJob([TINY])))
    race_losses = [e.batch_loss for e in state.runs[2].history if e.kind == "step"]
    solo_losses = [e.batch_loss for e in solo.runs[0].history if e.kind == "step"]
    assert race_losses == solo_losses
    assert race.probe("not bad", run=1).cell_type == "gru"


def test_a_far_too_high_learning_rate_stops_with_an_explanation(manager):
    job = manager().submit(TrainingJob([replace(TINY, lr=10.0, epochs=4)]))
    state = finished(job)
    (run,) = state.runs
    assert run.warning and state.status == "done"
    assert "the learning rate 10 is too high" in run.message
    assert KEPT.search(run.message)  # which weights the result holds: an epoch's, or the untrained ones
    assert run.trainer.step < run.trainer.total_steps and run.result is not None


def test_data_that_cannot_be_loaded_is_a_message(manager, monkeypatch, tmp_path):
    missing = manager().submit(TrainingJob([replace(TINY, data=(str(tmp_path / "missing.csv"),))]))
    state = finished(missing)
    assert state.status == "failed" and "no such file" in state.message

    def offline(progress=None, folder=None):
        progress(0.05, "downloading")
        raise corpora.CorpusError("could not download vaderSentiment==3.3.2 with pip (offline)")

    monkeypatch.setattr(corpora, "fetch_corpora", offline)
    corpus = finished(manager().submit(TrainingJob([replace(TINY, data=("movies",))])))
    assert corpus.status == "failed" and "could not download" in corpus.message


def test_an_error_inside_training_is_a_message(manager, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(training_task, "Trainer", broken)
    state = finished(manager().submit(TrainingJob.race(TINY)))
    assert state.status == "failed" and state.message == "Training failed: out of memory."


def test_an_uploaded_table_keeps_a_test_share():
    rows = "text,label\n" + "".join(
        f"sentence number {i} is {'good' if i % 2 else 'bad'},{i % 2}\n" for i in range(100)
    )
    table = load_table(rows.encode(), name="mine.csv")
    loaded = training_task.load_job_data(replace(TINY, data=("mine.csv",)), {"mine.csv": table})
    assert (len(loaded.train), len(loaded.val), len(loaded.test)) == (76, 8, 16)
    assert loaded.train.label_names == ("0", "1")


def test_settings_a_class_server_refuses():
    with pytest.raises(ValueError, match="thread count"):
        TrainingJob([replace(TINY, threads=2)])
    with pytest.raises(ValueError, match="only in their cell"):
        TrainingJob([TINY, replace(TINY, hidden_size=16)])


def test_snapshots_are_thinned_to_their_budget(monkeypatch):
    monkeypatch.setattr(training_job, "_snapshot_bytes", lambda classifier: 10)
    snapshots = [(epoch, object()) for epoch in range(9)]
    training_job._thin(snapshots, budget=90)
    assert [epoch for epoch, _ in snapshots] == list(range(9))
    training_job._thin(snapshots, budget=40)  # untrained and newest stay; the epochs between thin out evenly
    assert [epoch for epoch, _ in snapshots] == [0, 4, 8]
