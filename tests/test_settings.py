"""Proves the server's background-work settings: RNNVIZ_MAX_TRAININGS, RNNVIZ_TRAINING_REST and
RNNVIZ_TRAINING_ABANDON_SECONDS are read, defaulted and refused with a message naming them."""

import pytest

from rnnviz.training import settings
from rnnviz.training.jobs import JobManager


def test_settings_come_from_the_environment():
    assert settings.max_trainings({}) >= 1
    assert settings.rest_fraction({}) == settings.REST
    assert settings.abandon_seconds({}) == settings.ABANDON_AFTER
    server = JobManager.from_environment(
        {"RNNVIZ_MAX_TRAININGS": "3", "RNNVIZ_TRAINING_REST": "0", "RNNVIZ_TRAINING_ABANDON_SECONDS": "5"}
    )
    assert (server.max_running, server.rest, server.abandon_after) == (3, 0.0, 5.0)


def test_bad_settings_name_themselves():
    for name, value in (("RNNVIZ_MAX_TRAININGS", "zero"), ("RNNVIZ_MAX_TRAININGS", "1.5")):
        with pytest.raises(ValueError, match=name):
            settings.max_trainings({name: value})
    with pytest.raises(ValueError, match="RNNVIZ_TRAINING_REST must be a number from 0 to 10"):
        settings.rest_fraction({"RNNVIZ_TRAINING_REST": "-1"})
    with pytest.raises(ValueError, match="RNNVIZ_TRAINING_ABANDON_SECONDS"):
        settings.abandon_seconds({"RNNVIZ_TRAINING_ABANDON_SECONDS": "0"})
