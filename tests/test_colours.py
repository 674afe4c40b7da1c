"""Proves the one colour system (rnnviz.plots.colours): hex colours live only there, text on coloured
backgrounds keeps WCAG contrast >= 4.5:1, value scales never use the class hues, and on every page
each trace named after a class or a cell type is drawn in that class's or cell's colour."""

import colorsys
import re

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.colors import sample_colorscale

from rnnviz.core.models import CELL_NAMES
from rnnviz.plots import base, colours
from rnnviz.plots import html as render
from rnnviz.training.experiment import CELL_TITLES
from rnnviz.ui import teacher
from tests.pages_support import ROOT, app_test, chart_specs

HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")
PAGES = [
    "pages/lesson.py",
    "pages/explore.py",
    "pages/inside_the_cell.py",
    "pages/negation_lab.py",
    "pages/units.py",
    "pages/train.py",
    "pages/why_gates.py",
    "pages/layers.py",
    "pages/batches.py",
]


def _hue(colour: str) -> float:
    r, g, b = (c / 255 for c in colours.rgb(colour))
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


def _hue_distance(a: float, b: float) -> float:
    return min(abs(a - b), 360 - abs(a - b))


def test_no_hex_colour_outside_the_colour_module():
    files = [*ROOT.joinpath("rnnviz").rglob("*.py"), *ROOT.joinpath("pages").glob("*.py"), ROOT / "app.py"]
    found = []
    for path in files:
        name = path.relative_to(ROOT).as_posix()
        if name == "rnnviz/plots/colours.py":
            continue
        found += [f"{name}: {m}" for m in HEX.findall(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_page_css_takes_its_text_colours_from_the_colour_module():
    """Teacher mode's CSS (built from named colours) keeps captions at 4.5:1 on a laptop and
    its text at 7:1 on a projector."""
    assert colours.PAGE_CAPTION in teacher.PAGE_STYLE and colours.PAGE_HINT in teacher.PAGE_STYLE
    assert colours.PROJECTOR_TEXT in teacher.PROJECTOR_STYLE
    assert colours.PROJECTOR_ALERT in teacher.PROJECTOR_STYLE
    assert "{" in teacher.PROJECTOR_STYLE and "{{" not in teacher.PROJECTOR_STYLE  # CSS, not a template
    for text in (colours.PAGE_CAPTION, colours.PAGE_HINT):
        assert colours.contrast(text, colours.WHITE) >= 4.5, text
    for text in (colours.PROJECTOR_TEXT, colours.PROJECTOR_ALERT):
        assert colours.contrast(text, colours.WHITE) >= 7, text


def test_contrast_follows_wcag():
    assert colours.contrast("#000", "#fff") == pytest.approx(21.0)
    assert colours.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert colours.rgb("rgb(8, 48, 107)") == (8, 48, 107) and colours.rgb("#0a0") == (0, 170, 0)


def test_ink_for_keeps_contrast_on_every_background():
    samples = [*colours.CLASS_COLOURS, *colours.CELL_COLOURS.values(), *colours.SIDE_COLOURS.values()]
    for scale in (colours.SEQUENTIAL, colours.DIVERGING, colours.class_scale(*colours.CLASS_COLOURS[:2])):
        samples += sample_colorscale(scale, list(np.linspace(0, 1, 41)))
    for background in samples:
        assert colours.contrast(colours.ink_for(background), background) >= 4.5, background


def test_text_colours_on_white_are_readable():
    assert colours.contrast(colours.MUTED, colours.WHITE) >= 7
    assert colours.contrast(colours.UNCERTAIN, colours.WHITE) >= 4.5
    assert colours.contrast(colours.INK, colours.WHITE) >= 7
    for chip in (colours.CHIP_KNOWN, colours.CHIP_UNKNOWN):
        assert colours.contrast(chip["color"], chip["background"]) >= 7
    assert colours.contrast(colours.CHIP_CURRENT["color"], colours.CHIP_CURRENT["background"]) >= 7


def test_value_scales_and_cells_never_wear_the_class_hues():
    red, blue = (_hue(c) for c in colours.CLASS_COLOURS[:2])
    others = [colours.DIVERGING[0][1], colours.DIVERGING[-1][1], *colours.CELL_COLOURS.values()]
    for colour in others:
        assert min(_hue_distance(_hue(colour), red), _hue_distance(_hue(colour), blue)) >= 20, colour
    for _, colour in colours.SEQUENTIAL:  # greys: no hue at all
        r, g, b = colours.rgb(colour)
        assert r == g == b
    assert len(set(colours.CELL_COLOURS.values())) == 4


def test_every_name_of_a_cell_type_gets_its_colour():
    for cell, colour in colours.CELL_COLOURS.items():
        assert colours.cell_colour(cell) == colour
        assert colours.cell_colour(CELL_NAMES[cell]) == colour
    assert colours.cell_colour(CELL_TITLES["rnn_tanh"]) == colours.CELL_COLOURS["rnn_tanh"]
    assert colours.cell_colour("validation") == colours.GRID and colours.cell_of("training") is None


def test_class_colours_are_fixed_by_label_index():
    assert colours.class_colour(0) == colours.CLASS_COLOURS[0]
    assert colours.class_colour(len(colours.CLASS_COLOURS) + 1) == colours.CLASS_COLOURS[1]
    assert len(set(colours.CLASS_COLOURS)) == len(colours.CLASS_COLOURS)


def test_the_verdict_uses_the_class_colour_and_greys_when_uncertain():
    sure = render.verdict("negative", 0.87, colours.class_colour(0))
    assert colours.class_colour(0) in sure and "many unknown" not in sure
    unsure = render.verdict("negative", 0.87, colours.class_colour(0), uncertain=True)
    assert colours.UNCERTAIN in unsure and colours.class_colour(0) not in unsure
    assert "(many unknown words)" in unsure


def test_base_reads_its_scales_from_the_colour_module():
    assert base.colour_range("hidden", "lstm").colorscale is colours.DIVERGING
    assert base.colour_range("forget", "lstm").colorscale is colours.SEQUENTIAL


def _trace_colours(trace: dict) -> set[str]:
    found = set()
    for part in ("line", "marker"):
        colour = trace.get(part, {}).get("color")
        if isinstance(colour, str):
            found.add(colour)
    return found


@pytest.mark.parametrize("teacher", [False, True])
def test_colour_audit_on_every_page(models_dir, monkeypatch, teacher):
    audited = {"class": 0, "cell": 0}
    for page in PAGES:
        at = app_test(models_dir, monkeypatch, {"teacher": "1"} if teacher else {}).switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        for spec in chart_specs(at):
            for trace in spec["data"]:
                name = trace.get("name", "")
                if name in ("negative", "positive"):
                    kind, expected = "class", colours.class_colour(("negative", "positive").index(name))
                elif colours.cell_of(name):  # the stand-in models are named after their cells
                    kind, expected = "cell", colours.CELL_COLOURS[colours.cell_of(name)]
                else:
                    continue
                assert _trace_colours(trace) == {expected}, (page, spec["layout"]["title"]["text"], name)
                audited[kind] += 1
    assert audited["class"] >= 2 and audited["cell"] >= 1, audited


def test_chart_axis_text_is_dark_enough_for_a_projector():
    """Streamlit's theme greys axis text to 3.7:1; every chart is drawn through base.readable_text."""
    heatmap = go.Heatmap(z=[[0, 1]], colorbar=dict(title=dict(text="h")))
    figure = go.Figure(heatmap, layout=dict(xaxis2=dict(title=dict(text="x2"))))
    spec = figure.to_plotly_json()
    spec["layout"]["yaxis3"] = {"title": "a title given as a string"}
    figure = go.Figure(base.readable_text(spec))  # validating: every property set is one plotly knows
    layout = figure.layout
    for axis in (layout.xaxis, layout.xaxis2, layout.yaxis, layout.yaxis3):
        assert colours.contrast(axis.tickfont.color, colours.WHITE) >= 7
        assert colours.contrast(axis.title.font.color, colours.WHITE) >= 7
    assert layout.yaxis3.title.text == "a title given as a string"
    assert colours.contrast(layout.coloraxis.colorbar.tickfont.color, colours.WHITE) >= 7
    assert colours.contrast(figure.data[0].colorbar.tickfont.color, colours.WHITE) >= 7
    assert colours.contrast(figure.data[0].colorbar.title.font.color, colours.WHITE) >= 7
    assert figure.data[0].colorbar.title.text == "h"


def test_the_cell_diagrams_state_path_is_no_class_colour():
    """The thick line a student follows in Inside the cell must not read as 'positive'."""
    drawn = {colours.DIAGRAM_STATE_PATH, colours.DIAGRAM_STATE, colours.DIAGRAM_VALUE}
    assert not drawn & {c.lower() for c in colours.CLASS_COLOURS[:2]}
