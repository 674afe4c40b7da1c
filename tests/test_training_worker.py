"""Proves that a server's training jobs (JobManager.from_environment) train in niced worker
processes of their own, not in the server: the worker's CPU time grows while the server's training
threads do not exist; pause keeps the step count, a new learning rate applies on resume, stop keeps
the best weights; a race and a far too high learning rate behave as in the job's thread; the
probe's snapshots and the scored models come back as models; a killed worker ends the job in
`failed` with a message, never a traceback."""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import replace

import pytest

from rnnviz.training.jobs import JobManager
from rnnviz.training.training_job import TrainingJob
from tests.test_training_job import LONG, TINY, finished, pause_resume_with_a_new_rate_and_stop, wait_for


@pytest.fixture(scope="module")
def server():
    """A server's manager: two slots, a pool of worker processes niced by 5."""
    manager = JobManager.from_environment(
        {"RNNVIZ_MAX_TRAININGS": "2", "RNNVIZ_TRAINING_NICE": "5"}, tasks=("rnnviz.training.training_task",)
    )
    manager.warm_up()
    yield manager
    manager.stop_all()
    manager.executor.close()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process `pid`, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_training_runs_in_a_niced_worker_and_pauses_resumes_and_stops_there(server):
    job = server.submit(TrainingJob([LONG]))
    wait_for(lambda: job.state().step >= 3, timeout=120, what="three steps")
    (pid,) = server.executor.pids()
    assert pid != os.getpid()
    assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 5)
    assert not [t for t in threading.enumerate() if t.name.startswith("rnnviz-run")]  # none trains here
    before = cpu_seconds(pid)
    wait_for(lambda: cpu_seconds(pid) > before + 0.2, what="the worker to use the CPU")

    state = pause_resume_with_a_new_rate_and_stop(job)
    assert state.status == "done" and state.runs[0].trainer.status == "stopped"
    result = state.runs[0].result
    assert result is not None and result.test.n == 600
    assert job.probe("the movie was not good").epochs[0] == 0  # the snapshots came back as models
    assert result.classifier.predict_proba(["not good"]).shape == (1, 2)


def test_a_race_and_a_blown_up_loss_in_workers(server):
    race = server.submit(TrainingJob.race(TINY))
    blown = server.submit(TrainingJob([replace(TINY, lr=10.0, epochs=4)]))
    state = finished(race, timeout=180)
    assert [run.title for run in state.runs] == ["RNN (tanh)", "GRU", "LSTM"]
    assert all(run.result is not None and run.trainer.status == "done" for run in state.runs)
    assert state.step == state.total_steps == 3 * 34 and state.status == "done"
    assert race.probe("not bad", run=1).cell_type == "gru"
    (run,) = finished(blown, timeout=180).runs
    assert run.warning and "the learning rate 10 is too high" in run.message and run.result is not None


def test_a_killed_worker_fails_its_job_with_a_message(server):
    job = server.submit(TrainingJob([LONG]))
    wait_for(lambda: job.state().step >= 2, timeout=120, what="two steps")
    (pid,) = server.executor.pids()
    os.kill(pid, signal.SIGKILL)
    state = finished(job, timeout=60)
    assert state.status == "failed"
    assert state.message == "Training failed: the training process ended unexpectedly (killed by SIGKILL)."
    assert "Traceback" not in state.message and state.runs[0].history  # the curves so far stay
    after = finished(server.submit(TrainingJob([TINY])), timeout=120)  # the next job gets a new worker
    assert after.status == "done"
