"""Proves, with seeded random clicking through AppTest, that no page crashes and that teacher
mode, page visits and emptying a text box never lose or change a control's value."""

from __future__ import annotations

import os

import pytest

from tests import monkey
from tests.pages_support import app_test

STEPS = int(os.environ.get("RNNVIZ_MONKEY_STEPS", "25"))  # per page, mode and seed
SEEDS = tuple(range(int(os.environ.get("RNNVIZ_MONKEY_SEEDS", "1"))))


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("teacher", [False, True], ids=["normal", "teacher"])
@pytest.mark.parametrize("page", monkey.PAGES)
def test_monkey(models_dir, monkeypatch, page, teacher, seed):
    at = app_test(models_dir, monkeypatch).run()
    at.switch_page(page).run()
    assert not at.exception
    monkey.run_monkey(at, page, seed, STEPS, teacher)
