"""Proves the substituted equations add up: evaluating every side of every numeric line gives the
shown result within rounding, for each cell type, layer, direction, step and unit; the results
are the trace's own values; the LaTeX holds only numbers and fixed symbols, and shows the numeric
line whole, broken into aligned rows none longer than the symbolic row or the numbers put in."""

import math
import re

import pytest
import torch
from torch import nn

from rnnviz.core.trace import step_detail, trace_module
from rnnviz.plots.equations import DECIMALS, equations, factor, number, total

MODULES = {
    "rnn_tanh": lambda: nn.RNN(4, 5, num_layers=2, bidirectional=True),
    "rnn_relu": lambda: nn.RNN(4, 5, nonlinearity="relu", num_layers=2),
    "gru": lambda: nn.GRU(4, 5, num_layers=2, bidirectional=True),
    "lstm": lambda: nn.LSTM(4, 5, num_layers=2, bidirectional=True),
}
FUNCTIONS = {
    "sigmoid": lambda a: 1 / (1 + math.exp(-a)),
    "tanh": math.tanh,
    "relu": lambda a: max(a, 0.0),
}
HALF_UNIT = 0.5 * 10**-DECIMALS  # the largest rounding error of one shown number


def as_python(side: str) -> str:
    """One side of a numeric LaTeX line as a Python expression over FUNCTIONS."""
    expr = side.replace(r"\left(", "(").replace(r"\right)", ")").replace(r"\times", "*")
    expr = (
        expr.replace(r"\operatorname{relu}", "relu").replace(r"\sigma", "sigmoid").replace(r"\tanh", "tanh")
    )
    assert re.fullmatch(r"[0-9.+\-*() a-z]*", expr), expr
    return expr


def sides(numeric: str) -> list[tuple[float, int, float]]:
    """(value, how many numbers it shows, largest of them) for each side of '= a = b = c'."""
    assert numeric.startswith("= ")
    found = []
    for side in numeric[2:].split(" = "):
        expr = as_python(side)
        shown = [abs(float(x)) for x in re.findall(r"\d+\.\d+|\d+", expr)]
        found.append((eval(expr, {"__builtins__": {}}, FUNCTIONS), len(shown), max(shown)))
    return found


@pytest.mark.parametrize("kind", list(MODULES))
def test_every_numeric_line_adds_up(kind):
    torch.manual_seed(1)
    module = MODULES[kind]().eval()
    trace = trace_module(module, 2 * torch.randn(7, 4))  # larger inputs: saturated gates too
    for state in trace.states:
        for step in (0, 3, 6):
            for unit in range(5):
                detail = step_detail(module, state, step, unit)
                for equation in equations(detail):
                    found = sides(equation.numeric)
                    result = found[-1][0]
                    assert result == float(number(equation.value))
                    for value, count, largest in found[:-1]:
                        # each shown number is off by at most HALF_UNIT; products scale it
                        tolerance = HALF_UNIT * (1 + count * max(1.0, largest))
                        assert value == pytest.approx(result, abs=tolerance), equation.latex


@pytest.mark.parametrize("kind", list(MODULES))
def test_results_are_the_traced_values(kind):
    torch.manual_seed(2)
    module = MODULES[kind]().eval()
    trace = trace_module(module, torch.randn(5, 4))
    state = trace.states[-1]
    detail = step_detail(module, state, 2, 3)
    by_quantity = {equation.quantity: equation.value for equation in equations(detail)}
    for name, values in state.gates.items():
        assert by_quantity[name] == pytest.approx(float(values[2, 3]), abs=1e-5)
    assert by_quantity["hidden"] == pytest.approx(float(state.hidden[2, 3]), abs=1e-5)
    if state.cell is not None:
        assert by_quantity["cell_state"] == pytest.approx(float(state.cell[2, 3]), abs=1e-5)
    expected = {
        "lstm": ["input", "forget", "cell", "output", "cell_state", "hidden"],
        "gru": ["reset", "update", "new", "hidden"],
    }.get(kind, ["hidden"])
    assert list(by_quantity) == expected


def test_backward_direction_reads_the_state_at_t_plus_1():
    torch.manual_seed(0)
    module = nn.LSTM(3, 2, bidirectional=True).eval()
    trace = trace_module(module, torch.randn(4, 3))
    forward = equations(step_detail(module, trace.state(0, "forward"), 1, 0))
    backward = equations(step_detail(module, trace.state(0, "backward"), 1, 0))
    assert all("t+1" not in e.symbolic for e in forward)
    assert "c_{t+1}" in backward[-2].symbolic and "h_{t+1}" in backward[0].symbolic
    assert all("t-1" not in e.symbolic for e in backward)


def test_latex_holds_only_numbers_and_fixed_symbols():
    allowed = re.compile(
        r"\\(?:begin|end)\{aligned\}|\\left\(|\\right\)|\\(?:sigma|tanh|times|odot|operatorname)|"
        r"\{relu\}|[WbhxcfigozrnUt]_\{?[a-z+\-0-9]*\}?|[0-9.+\-=&() ]|\\\\|[a-z]_t"
    )
    for kind, make in MODULES.items():
        torch.manual_seed(0)
        module = make().eval()
        state = trace_module(module, torch.randn(3, 4)).states[0]
        for equation in equations(step_detail(module, state, 1, 1)):
            leftover = allowed.sub("", equation.latex)
            assert leftover == "", (kind, leftover)


@pytest.mark.parametrize("kind", list(MODULES))
def test_latex_breaks_the_numeric_line_into_short_aligned_rows(kind):
    torch.manual_seed(3)
    module = MODULES[kind]().eval()
    state = trace_module(module, torch.randn(4, 4)).states[0]
    for equation in equations(step_detail(module, state, 2, 0)):
        body = equation.latex.removeprefix(r"\begin{aligned} ").removesuffix(r" \end{aligned}")
        symbolic, *numeric = body.split(r" \\ ")
        assert symbolic == equation.symbolic.replace(" = ", " &= ", 1)
        assert all(row.startswith("&= ") for row in numeric) and 2 <= len(numeric) <= 3
        assert " ".join(row.removeprefix("&") for row in numeric) == equation.numeric  # nothing lost
        substituted = equation.numeric.removeprefix("= ").split(" = ")[0]
        assert max(len(row) for row in numeric) <= max(len(symbolic), len(substituted) + 3)


def test_number_formatting():
    assert number(0.41234) == "0.412"
    assert number(-0.0004) == "0.000"  # never "-0.000"
    assert factor(-0.8) == r"\left(-0.800\right)"
    assert factor(0.93) == "0.930"
    assert total([0.412, -0.105, 0.223]) == "0.412 - 0.105 + 0.223"
    assert total([-0.5, 0.25]) == "-0.500 + 0.250"
