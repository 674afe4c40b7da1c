"""Proves the Units page's unit map and state trajectories in Streamlit's AppTest: the map of the
chosen quantity is drawn with its cluster table, the number of clusters and the quantity change it,
a cluster's units go to the intervention, the trajectories of two sentences are drawn with the
head's boundary, the view travels in the link, and Explore's "What if unit N were off?" opens the
Units page with that unit switched off."""

from __future__ import annotations

import json
import re
import urllib.parse

from tests.pages_support import app_test, chart_specs, chart_titles, no_exception, open_page, page_text
from tests.test_hostile import BIG, HOSTILE, NO_WORDS

PAGE = "pages/units.py"
_ok = no_exception


def _open(models_dir, monkeypatch, query=None):
    return open_page(models_dir, monkeypatch, PAGE, query)


def _map_title(at) -> str:
    return next(title for title in chart_titles(at) if "clusters" in title)


def test_the_unit_map_clusters_the_chosen_quantity_and_sends_a_cluster_to_the_intervention(
    models_dir, monkeypatch
):
    at = _open(models_dir, monkeypatch)
    assert at.segmented_control(key="units_view").value == "map"
    assert _map_title(at).startswith("Unit map: Hidden state h, ") and _map_title(at).endswith(
        "in 6 clusters"
    )
    (table,) = at.table
    assert len(table.value) == 6 and list(table.value["cluster"]) == [f"C{k}" for k in range(1, 7)]
    assert "average-linkage" in page_text(at)
    _ok(at.number_input(key="units_map_clusters").set_value(3).run())
    _ok(at.selectbox(key="units_map_quantity").set_value("cell_state").run())
    assert _map_title(at).startswith("Unit map: Cell state c, ") and _map_title(at).endswith("in 3 clusters")
    (table,) = at.table
    sizes = list(table.value["units"])
    assert len(sizes) == 3
    _ok(at.selectbox(key="units_map_cluster").set_value(1).run())
    (button,) = [b for b in at.button if b.label == "Change this cluster's units above"]
    _ok(button.click().run())
    assert "C2: " in at.toast[0].value and "are now changed at the top of the page" in at.toast[0].value
    assert at.selectbox(key="units_quantity").value == "cell_state"
    assert at.toggle(key="units_every").value is False
    assert len(at.multiselect(key="units_units").value) == min(sizes[1], 32)
    assert chart_titles(at)[0] == "P(positive) after each word, untouched and changed"


def test_trajectories_draw_two_sentences_and_the_boundary(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"view": "paths"})
    assert at.segmented_control(key="units_view").value == "paths"
    specs = chart_specs(at)
    (paths,) = [s for s in specs if s["layout"]["title"]["text"].startswith("Two sentences' states")]
    names = [trace.get("name", "") for trace in paths["data"]]
    assert any(name.startswith("decision boundary") for name in names) or "lies outside" in page_text(at)
    assert "A: the movie was not good" in names and "B: the movie was good" in names
    assert "principal component 1" in paths["layout"]["xaxis"]["title"]["text"]
    assert "every other component at the corpus mean" in page_text(at)
    assert at.query_params["view"] == "paths"
    _ok(at.text_input(key="units_path_b").set_value("").run())
    (paths,) = [
        s for s in chart_specs(at) if s["layout"]["title"]["text"].startswith("Two sentences' states")
    ]
    assert [t["name"] for t in paths["data"] if t["type"] == "scatter" and "mode" in t][-1].startswith("A:")
    _ok(at.text_input(key="units_path_a").set_value("  ").run())
    assert "Type two sentences" in page_text(at)
    _ok(at.segmented_control(key="units_view").set_value("map").run())
    assert "view" not in at.query_params


def test_a_bad_view_in_a_link_gives_a_notice(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"view": "galaxy"})
    assert at.segmented_control(key="units_view").value == "map"
    assert "The link asks for" in " ".join(str(w.value) for w in at.warning)


def test_explore_links_to_switching_a_unit_off(models_dir, monkeypatch):
    at = _ok(app_test(models_dir, monkeypatch, {"sentence": "the movie was not good"}).run())
    (link,) = [each.proto for each in at.get("page_link") if each.proto.page == "units"]
    unit = at.multiselect(key="explore_focus_units").value[0]
    assert link.label.startswith(f"What if unit {unit} were off at “not”?")
    query = dict(urllib.parse.parse_qsl(link.query_string))
    units = _ok(app_test(models_dir, monkeypatch, query).switch_page(PAGE).run())
    assert not units.warning
    assert units.multiselect(key="units_units").value == [unit]
    assert units.selectbox(key="units_mode").value == "zero"
    words = units.selectbox(key="units_words_from").value, units.selectbox(key="units_words_to").value
    assert words == (3, 3)
    long = _ok(app_test(models_dir, monkeypatch, {"sentence": "not good " * 25}).run())
    assert not [each for each in long.get("page_link") if each.proto.page == "units"]
    assert "switches units off in sentences of up to 40 words" in page_text(long)


def test_hostile_sentences_in_the_trajectories_are_plain_text(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"view": "paths"})
    for name, text in {**HOSTILE, "100 KB": BIG}.items():
        at.text_input(key="units_path_a").set_value(text)
        _ok(at.run())
        if name in NO_WORDS:  # only B is drawn
            paths = [s for s in chart_specs(at) if s["layout"]["title"]["text"].startswith("Two sentences")]
            assert all(t.get("name", "").startswith(("B:", "decision")) for p in paths for t in p["data"]
                       if t["type"] == "scatter"), name  # fmt: skip
        for spec in chart_specs(at):
            assert not re.search(r"<(script|img|b>)", json.dumps(spec)), name
