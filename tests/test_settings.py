"""Proves the server's background-work settings: RNNVIZ_MAX_TRAININGS, RNNVIZ_TRAINING_NICE,
RNNVIZ_TRAINING_ABANDON_SECONDS, RNNVIZ_PAUSE_RELEASE_SECONDS, RNNVIZ_EXPERIMENTS_PER_SESSION and
RNNVIZ_REPLICAS are read, defaulted and refused with a message naming them; a replica's queue
message says its cap is one process's of N."""

import pytest

from rnnviz.training import settings
from rnnviz.training.jobs import JobManager


def test_settings_come_from_the_environment():
    assert settings.max_trainings({}) >= 1
    assert settings.training_nice({}) == settings.NICE == 10
    assert settings.abandon_seconds({}) == settings.ABANDON_AFTER
    server = JobManager.from_environment(
        {"RNNVIZ_MAX_TRAININGS": "3", "RNNVIZ_TRAINING_NICE": "5", "RNNVIZ_TRAINING_ABANDON_SECONDS": "5"}
    )
    assert (server.max_running, server.abandon_after) == (3, 5.0)
    assert (server.executor.size, server.executor.nice) == (3, 5)  # a worker per running training


def test_bad_settings_name_themselves():
    for name, value in (("RNNVIZ_MAX_TRAININGS", "zero"), ("RNNVIZ_MAX_TRAININGS", "1.5")):
        with pytest.raises(ValueError, match=name):
            settings.max_trainings({name: value})
    for value in ("-1", "20", "2.5"):
        with pytest.raises(ValueError, match="RNNVIZ_TRAINING_NICE"):
            settings.training_nice({"RNNVIZ_TRAINING_NICE": value})
    with pytest.raises(ValueError, match="RNNVIZ_TRAINING_ABANDON_SECONDS"):
        settings.abandon_seconds({"RNNVIZ_TRAINING_ABANDON_SECONDS": "0"})


def test_the_pause_release_and_the_experiments_per_session_come_from_the_environment():
    assert settings.pause_release_seconds({}) == settings.PAUSE_RELEASE == 120
    assert settings.experiments_per_session({}) == settings.EXPERIMENTS_PER_SESSION == 1
    server = JobManager.from_environment({"RNNVIZ_PAUSE_RELEASE_SECONDS": "7.5"})
    assert server.pause_release == 7.5
    assert settings.experiments_per_session({"RNNVIZ_EXPERIMENTS_PER_SESSION": "3"}) == 3
    with pytest.raises(ValueError, match="RNNVIZ_PAUSE_RELEASE_SECONDS"):
        settings.pause_release_seconds({"RNNVIZ_PAUSE_RELEASE_SECONDS": "soon"})
    for value in ("0", "1.5"):
        with pytest.raises(ValueError, match="RNNVIZ_EXPERIMENTS_PER_SESSION"):
            settings.experiments_per_session({"RNNVIZ_EXPERIMENTS_PER_SESSION": value})


def test_the_replica_count_names_whose_cap_the_queue_message_gives():
    assert settings.replicas({}) == 1
    alone = JobManager.from_environment({"RNNVIZ_MAX_TRAININGS": "2"})
    assert (alone.replicas, alone.server) == (1, "this server")
    shared = JobManager.from_environment({"RNNVIZ_MAX_TRAININGS": "1", "RNNVIZ_REPLICAS": "3"})
    assert (shared.max_running, shared.server) == (1, "this server process (one of 3)")
    for value in ("0", "2.5", "many"):
        with pytest.raises(ValueError, match="RNNVIZ_REPLICAS"):
            settings.replicas({"RNNVIZ_REPLICAS": value})


def test_page_slots_default_to_the_cores_and_name_themselves_when_bad():
    assert settings.page_slots({}) == settings.cores() >= 1
    assert settings.page_slots({"RNNVIZ_PAGE_SLOTS": "0"}) == 0  # no limit
    with pytest.raises(ValueError, match="RNNVIZ_PAGE_SLOTS"):
        settings.page_slots({"RNNVIZ_PAGE_SLOTS": "lots"})
