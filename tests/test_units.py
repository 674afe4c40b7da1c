"""Proves the unit rankings the pages use: by number, activity or change, and by any score (NaN last)."""

import numpy as np
import pytest

from rnnviz.analysis import units


def test_unit_orderings():
    values = np.array(
        [
            [0.0, 0.9, -0.1, 0.5],
            [0.0, -0.9, 0.1, 0.5],
            [0.0, 0.9, -0.1, 0.5],
        ],
        dtype=np.float32,
    )  # [steps=3, units=4]
    assert units.unit_order(values, "index").tolist() == [0, 1, 2, 3]
    # mean |v|: unit 1 (0.9) > unit 3 (0.5) > unit 2 (0.1) > unit 0 (0)
    assert units.unit_order(values, "active").tolist() == [1, 3, 2, 0]
    # total variation: unit 1 (3.6) > unit 2 (0.4) > units 0 and 3 (0, tie: lower first)
    assert units.unit_order(values, "changed").tolist() == [1, 2, 0, 3]
    assert units.top_units(values, "changed", 2) == [1, 2]
    assert np.allclose(units.unit_scores(values, "changed"), [0.0, 3.6, 0.4, 0.0])


def test_one_step_and_bad_input():
    one = np.ones((1, 3))
    assert units.unit_order(one, "changed").tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="must be one of"):
        units.unit_order(one, "loudest")
    with pytest.raises(ValueError, match=r"\[steps, units\]"):
        units.unit_order(np.ones(3), "index")


def test_rank_units_puts_nan_last_and_breaks_ties_by_unit():
    scores = np.array([0.5, np.nan, 2.0, 0.5, np.nan, -1.0], dtype=np.float32)
    assert units.rank_units(scores).tolist() == [2, 0, 3, 5, 1, 4]
    assert units.rank_units(np.zeros(3)).tolist() == [0, 1, 2]
