"""Stepping through a sentence word by word: the step player (previous / play / next / slider)
and the timed fragment reruns it and running jobs are drawn with.

State, for a player or timer `key`:
    control <key>_word           the word shown (1-based; rnnviz.ui.state, so it survives page visits)
    <key>_playing, _due          whether it plays, when it advances next
    <key>_timer                  the `run_every` its fragment was last defined with (`timer`)
"""

from __future__ import annotations

import time

import streamlit as st

from rnnviz.ui import state

PLAY_SECONDS = 1.0  # one word per second while a step player plays
_PLAY_SLACK = 0.3  # a timer rerun this early still advances (browser timers drift)


def timer(key: str, on: bool, seconds: float = PLAY_SECONDS) -> float | None:
    """The `run_every` for a fragment that must rerun every `seconds` while `on` (a playing
    animation, a running job), else None; remembered under `key`. Call it where the
    fragment is defined, in the full run: `@st.fragment(run_every=player.timer(key, on))`."""
    interval = seconds if on else None
    st.session_state[f"{key}_timer"] = interval
    return interval


def sync_timer(key: str, on: bool) -> None:
    """Inside the fragment: if `on` no longer matches the timer it was defined with (the
    animation ended, the job finished), rerun the whole page so that the fragment is
    defined again with or without its timer."""
    if on != bool(st.session_state.get(f"{key}_timer")):
        st.rerun()


def play_interval(key: str) -> float | None:
    """The `run_every` for the fragment that draws step player `key`: PLAY_SECONDS while it
    plays, else None: `@st.fragment(run_every=player.play_interval(key))`."""
    return timer(key, bool(st.session_state.get(f"{key}_playing")))


def _word(key: str) -> state.Control[int]:
    return state.Control(f"{key}_word", 1, check=lambda word: isinstance(word, int) and word >= 1)


def _step_to(key: str, word: int, steps: int) -> None:
    """Button callback: go to `word` (1-based, clipped) and stop playing."""
    state.set_value(_word(key), min(max(1, word), steps))
    st.session_state[f"{key}_playing"] = False


def _step_by(key: str, delta: int, steps: int) -> None:
    _step_to(key, int(state.value(_word(key))) + delta, steps)


def _play_or_pause(key: str, steps: int) -> None:
    session = st.session_state
    if session.get(f"{key}_playing"):
        session[f"{key}_playing"] = False
        return
    if int(state.value(_word(key))) >= steps:  # at the end: play from the start
        state.set_value(_word(key), 1)
    session[f"{key}_playing"] = True
    session[f"{key}_due"] = time.monotonic() + PLAY_SECONDS


def go_to_step(key: str, step: int) -> None:
    """Make step player `key` show `step` (0-based, e.g. from a link) and stop playing; call
    it outside the player's fragment, before the fragment is drawn."""
    state.set_value(_word(key), step + 1)
    st.session_state[f"{key}_playing"] = False


def step_player(steps: int, key: str, slider: bool = True) -> int:
    """Previous / play-pause / next buttons and (unless `slider` is False: a projector's compact
    first screen) a slider over `steps` words; returns the 0-based step shown (kept within the
    sentence when it gets shorter).

    Call it inside a fragment defined with `run_every=play_interval(key)`. While playing,
    each timer rerun advances one word and playback stops by itself at the last word; any
    manual step pauses it. Starting or stopping reruns the whole page once, so that the
    fragment is defined again with or without its timer. Page Up / Page Down (what a
    presenter's clicker sends) step back and forward.
    """
    session, word_control, playing_key = st.session_state, _word(key), f"{key}_playing"
    word = min(int(state.value(word_control)), steps)
    playing = bool(session.get(playing_key)) and word < steps
    if playing and time.monotonic() >= session.get(f"{key}_due", 0.0) - _PLAY_SLACK:
        word += 1
        session[f"{key}_due"] = time.monotonic() + PLAY_SECONDS
        playing = word < steps
    state.set_value(word_control, word)
    session[playing_key] = playing
    sync_timer(key, playing)
    # Without the slider the buttons take only their own width, leaving the row's rest to the caller.
    width = "stretch" if slider else "content"
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small", width=width):
        st.button(
            "Previous",
            key=f"{key}_previous",
            icon=":material/skip_previous:",
            disabled=word <= 1,
            on_click=_step_by,
            args=(key, -1, steps),
            shortcut="PageUp",
        )
        st.button(
            "Pause" if playing else "Play",
            key=f"{key}_play",
            icon=":material/pause:" if playing else ":material/play_arrow:",
            type="primary",
            disabled=steps <= 1,
            on_click=_play_or_pause,
            args=(key, steps),
            help=f"Step through the sentence, one word every {PLAY_SECONDS:g} s.",
        )
        st.button(
            "Next",
            key=f"{key}_next",
            icon=":material/skip_next:",
            disabled=word >= steps,
            on_click=_step_by,
            args=(key, 1, steps),
            shortcut="PageDown",
        )
        if steps > 1 and slider:
            moved = state.widget(st.slider, word_control, "Word", min_value=1, max_value=steps)
            if moved != word:  # the student dragged the slider: that pauses playback
                word, session[playing_key] = moved, False
    return word - 1
