"""Proves page runs take turns (rnnviz.ui.turns): never more holders than slots, no limit with 0
slots, and a run that has waited too long goes ahead rather than hold up a class."""

import threading

from rnnviz.ui.turns import Turns, slots_from_environment


def _most_at_once(turns: Turns, runs: int) -> int:
    inside, most, lock = 0, 0, threading.Lock()
    started = threading.Barrier(runs)
    released = threading.Event()

    def run():
        nonlocal inside, most
        started.wait()
        with turns.turn():
            with lock:
                inside += 1
                most = max(most, inside)
            released.wait(0.05)  # a short page run
            with lock:
                inside -= 1

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return most


def test_no_more_page_runs_at_once_than_slots():
    assert _most_at_once(Turns(2), 8) == 2
    assert _most_at_once(Turns(1), 4) == 1


def test_zero_slots_is_no_limit():
    assert _most_at_once(Turns(0), 6) == 6


def test_a_run_that_waited_too_long_goes_ahead_and_gives_back_nothing():
    turns = Turns(1, max_wait=0.05)
    # The second finds the slot taken and, after the wait, runs anyway.
    with turns.turn() as first, turns.turn() as second:
        assert first and not second
    # The one slot is free again, and only one: nothing was given back twice.
    with turns.turn() as again, turns.turn() as other:
        assert again and not other


def test_the_slots_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RNNVIZ_PAGE_SLOTS", "3")
    assert slots_from_environment() == 3
    monkeypatch.setenv("RNNVIZ_PAGE_SLOTS", "0")
    assert slots_from_environment() == 0
    monkeypatch.setenv("RNNVIZ_PAGE_SLOTS", "lots")
    assert slots_from_environment() >= 1  # the CPU cores


def test_a_bad_slot_setting_is_logged_not_fatal(monkeypatch, caplog):
    monkeypatch.setenv("RNNVIZ_PAGE_SLOTS", "-2")
    assert slots_from_environment() >= 1
    assert "RNNVIZ_PAGE_SLOTS" in caplog.text
