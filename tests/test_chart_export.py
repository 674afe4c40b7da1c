"""Proves chart export (rnnviz.ui.output): every chart's camera button saves a 2× PNG, or an SVG once
'Charts save as' says so, in both modes, named after the chart; the config stays plain JSON."""

import json

import pytest

from rnnviz.ui import output, state


def test_image_options():
    assert output.image_options("png", "explore_pred") == {
        "format": "png",
        "scale": 2,
        "filename": "explore_pred",
    }
    assert output.image_options("svg", "explore_pred") == {"format": "svg", "filename": "explore_pred"}
    json.dumps(output.CHART_CONFIG)  # no functions: Streamlit sends the config as JSON


@pytest.mark.parametrize("teacher", [False, True])
def test_every_chart_saves_in_the_chosen_format(app, teacher):
    if teacher:
        app.query_params["teacher"] = "1"
    at = app.run()
    configs = [json.loads(chart.proto.config) for chart in at.get("plotly_chart")]
    assert configs and all(c["toImageButtonOptions"]["format"] == "png" for c in configs)
    at.session_state[state.STORE_KEY] = {**at.session_state[state.STORE_KEY], output.IMAGE_FORMAT.key: "svg"}
    at.run()
    assert not at.exception
    configs = [json.loads(chart.proto.config) for chart in at.get("plotly_chart")]
    assert configs and all(c["toImageButtonOptions"]["format"] == "svg" for c in configs)
    assert configs[0]["modeBarButtons"] == [["toImage"]] and configs[0]["toImageButtonOptions"]["filename"]
