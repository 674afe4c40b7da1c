"""Proves rnnviz.ui.session reads numbers from links strictly: ASCII digits only."""

import pytest

from rnnviz.ui.session import whole_number


@pytest.mark.parametrize("raw", ["1_0", " 7", "٣", "²", "-1", "1e3", ""])
def test_whole_number_takes_ascii_digits_only(raw):
    with pytest.raises(ValueError):
        whole_number(raw)
    assert whole_number("042") == 42
