"""The one owner of every control's value: a value lives in the session under its control's key,
is validated on every read, and is written into its widget each time the widget is drawn.

Why a layer of its own. Streamlit forgets a widget's value when a run does not draw the widget
(teacher mode hides it, a popover is closed, the page stopped early, the student visited another
page). Worse, when the widget is drawn again the browser shows the widget's declared default and
the next rerun sends that back as if the student had chosen it. So a control's value is kept
apart from its widget:

    session_state["rnnviz_state"][key]     the value: survives everything but the session's end
    session_state[key]                     the widget's own slot (Streamlit's): set from the value
                                           before each draw, copied back into the value by the
                                           widget's on_change callback (which runs before the
                                           script). Code never writes it directly: set_value.

Use:

    ORDER = Control("explore_order", "changed", choices=("index", "active", "changed"))
    order = widget(st.segmented_control, ORDER, "Order units by", list(ORDER.choices), required=True)
    ...or, while teacher mode hides it:  order = value(ORDER)

A value that is not valid any more (a unit number past a smaller model's size, an option a link
made up) falls back to the control's default, or to the `choices` given at the call, with no crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import streamlit as st

T = TypeVar("T")

STORE_KEY = "rnnviz_state"  # session_state[STORE_KEY]: {control key: value}
BROWSER_KEY = "rnnviz_state_from_browser"  # widget keys whose next draw keeps the browser's value


@dataclass(frozen=True)
class Control(Generic[T]):
    """One control's identity: its key, its default and what counts as a valid value."""

    key: str  # unique in the app; also the name of the value in the session
    default: T  # used when there is no value yet or the stored one is not valid
    choices: tuple[T, ...] | None = None  # the valid values, for selects; None: any value `check` accepts
    check: Callable[[Any], bool] | None = None  # validity of a free value (numbers, text); None: any

    def valid(self, candidate: object, choices: Sequence[T] | None = None) -> bool:
        """Whether `candidate` may be this control's value (given today's `choices`, if any)."""
        options = self.choices if choices is None else choices
        if options is not None and candidate not in options:
            return False
        if self.check is not None:
            try:
                return bool(self.check(candidate))
            except (TypeError, ValueError):
                return False
        return True

    @property
    def widget_key(self) -> str:
        """The key of the widget that shows this control (the control's own key: tests and
        links name widgets by it)."""
        return self.key


def _store() -> dict[str, Any]:
    return st.session_state.setdefault(STORE_KEY, {})


def value(
    control: Control[T], choices: Sequence[T] | None = None, default: T | None = None, remember: bool = True
) -> T:
    """The control's value, validated: an invalid or missing one becomes the default (or
    `default`, e.g. when the default depends on the model), which is then stored — unless
    `remember` is False: then the default follows the page (e.g. the units that change most
    in this sentence) until the user picks a value."""
    store = _store()
    current = store.get(control.key, _MISSING)
    if current is not _MISSING and control.valid(current, choices):
        return current
    fallback = control.default if default is None else default
    if not control.valid(fallback, choices) and choices:
        fallback = choices[0]
    if remember:
        store[control.key] = fallback
    else:
        store.pop(control.key, None)
    return fallback


def set_value(control: Control[T], new: T) -> None:
    """Set the control's value (a link, an example button, a preset); the widget shows it
    the next time it is drawn."""
    _store()[control.key] = new


def snapshot() -> dict[str, Any]:
    """A copy of this session's control values, {key: value} (the model store mirrors it)."""
    return dict(_store())


def adopt(values: Mapping[str, Any]) -> None:
    """Take `values` as this session's control values where it has none yet (a replica taking over
    a browser); each is validated when read, like any other."""
    store = _store()
    for key, candidate in values.items():
        store.setdefault(str(key), candidate)


def defer_to_browser(widget_keys: Iterable[str]) -> None:
    """For a session whose first run came with the browser's widget values from another server
    process (rnnviz.ui.reconnect.take_over): at its first draw each of these widgets keeps the
    value the browser sent — the student's last change, which may never have reached the old
    process — instead of having the stored (mirrored, perhaps older) value written over it."""
    st.session_state[BROWSER_KEY] = set(widget_keys)


def has_value(control: Control) -> bool:
    """Whether the control has been given a value in this session (by the user, a link or code)."""
    return control.key in _store()


def forget(control: Control) -> None:
    """Drop the control's value: the next read gives the default (a Reset button)."""
    _store().pop(control.key, None)


def _copy_back(control: Control) -> None:
    # on_change: runs before the script, so the page already reads the new value.
    _store()[control.key] = st.session_state.get(control.widget_key)


def from_browser(widget_key: str) -> bool:
    """Whether this is the first draw of a widget whose value the browser sent with a moved
    session's first run (see defer_to_browser): then the widget must read that value, and nothing
    may be written into its slot before it is drawn. True once per widget."""
    deferred = st.session_state.get(BROWSER_KEY)
    if deferred and widget_key in deferred:
        deferred.discard(widget_key)
        return True
    return False


def _show(control: Control, current: Any) -> None:
    """Put the control's value into its widget's slot before the widget is drawn (except at the
    first draw of a widget whose browser sent its value: see defer_to_browser)."""
    if not from_browser(control.widget_key):
        st.session_state[control.widget_key] = current


def tabs(control: Control[str], labels: Sequence[str]) -> tuple[str, list]:
    """Draw `st.tabs` for `control`, whose value is the open tab's label: (that label, the tabs'
    containers). The tabs rerun the page when the student opens another, so a page draws only
    the open tab's content and the others cost nothing."""
    current = value(control, labels)
    _show(control, current)
    containers = st.tabs(list(labels), key=control.widget_key, on_change=_copy_back, args=(control,))
    opened = st.session_state.get(control.widget_key)  # the browser's, when it sent one (a moved session)
    if opened in labels:
        _store()[control.key] = current = opened
    return current, containers


def widget(
    draw: Callable[..., Any],
    control: Control[T],
    *args: Any,
    choices: Sequence[T] | None = None,
    default: T | None = None,
    remember: bool = True,
    **kwargs: Any,
) -> T:
    """Draw `control` with a Streamlit widget function (`st.selectbox`, `st.toggle`, …) and
    return its value. Positional and keyword arguments go to the widget, except `key`,
    `on_change`, `value`/`index`/`default` (the layer sets the widget's value itself).

    `choices`: today's valid options (e.g. the layers of the current model), else the
    control's own; `default`: today's default, else the control's; `remember=False`: only a
    value the user chose is kept, the default follows the page (see `value`)."""
    current = value(control, choices, default, remember)
    _show(control, current)
    drawn = draw(*args, key=control.widget_key, on_change=_copy_back, args=(control,), **kwargs)
    if not control.valid(drawn, choices):
        return current
    if remember or has_value(control):
        _store()[control.key] = drawn
    return drawn


class _Missing:
    pass


_MISSING = _Missing()
