"""The cell's equations as LaTeX, with one unit's numbers substituted, for checking the arithmetic by hand.

Pure functions: a StepDetail (one unit j at one step t, term by term) in, LaTeX strings out.
Every string is built from numbers and fixed symbols only — never from user text — so it is
safe to hand to st.latex whatever the sentence was.

Notation is the PyTorch documentation's, for one unit j (so ⊙ becomes an ordinary ×):

    LSTM  i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)     and f, g (tanh), o alike
          c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
          h_t = o_t ⊙ tanh(c_t)
    GRU   r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)     and z alike
          n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
          h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}
    RNN   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)   (relu for a ReLU RNN)

Each Equation has a symbolic line and a numeric line
    "= σ(0.412 − 0.105 + 0.223 + 0.031) = σ(0.561) = 0.637";
every number is rounded to DECIMALS places, and each "=" holds up to that rounding (a
test evaluates the numeric lines). `latex` breaks the numeric line after the numbers put
in, so in a narrow column no row is much longer than the symbolic one. For the backward
direction of a bidirectional layer the previous state is the one at t+1 (it reads right to
left), and the equations say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rnnviz.core.trace import GateTerms, StepDetail
from rnnviz.plots import numbers

DECIMALS = numbers.DECIMALS

# LaTeX for each activation, applied to an argument.
_APPLY = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\operatorname{relu}"}
# PyTorch's weight/bias subscript letter per gate ("hidden" is the plain RNN's update).
_LETTER = {"input": "i", "forget": "f", "cell": "g", "output": "o", "reset": "r", "update": "z", "new": "n"}


@dataclass(frozen=True)
class Equation:
    """One line of the cell's arithmetic for unit j at step t."""

    quantity: str  # the trace's key: a gate name, 'cell_state' or 'hidden'
    symbolic: str  # LaTeX, e.g. r"f_t = \sigma\left(W_{if} x_t + ...\right)"
    numeric: str  # LaTeX starting with "=": the same with numbers, then the result
    value: float  # the exact (unrounded) result

    @property
    def latex(self) -> str:
        """Three rows aligned on their "=" (for st.latex): the symbols, the numbers put in, then
        the results. One long line would be cut off on the right in a narrow column; each row is
        at most as long as the symbolic one or the sum of the numbers."""
        lhs, rhs = self.symbolic.split(" = ", 1)
        substituted, *results = self.numeric.removeprefix("= ").split(" = ")
        rows = [f"{lhs} &= {rhs}", f"&= {substituted}"]
        if results:
            rows.append("&= " + " = ".join(results))
        return r"\begin{aligned} " + r" \\ ".join(rows) + r" \end{aligned}"


def number(value: float) -> str:
    """`value` rounded to DECIMALS places, as LaTeX ('-0.105'; never '-0.000')."""
    return numbers.fixed(value, DECIMALS, minus="-")


def factor(value: float) -> str:
    """A number as a factor in a product: negative ones in parentheses."""
    return numbers.factor(value, DECIMALS, minus="-", brackets=r"\left( \right)")


def total(values: list[float]) -> str:
    """A sum written as a student would: '0.412 - 0.105 + 0.223'."""
    parts = []
    for k, value in enumerate(values):
        text = number(value)
        if k == 0:
            parts.append(text)
        elif text.startswith("-"):
            parts.append(f"- {text[1:]}")
        else:
            parts.append(f"+ {text}")
    return " ".join(parts)


def _apply(activation: str, argument: str) -> str:
    return rf"{_APPLY[activation]}\left({argument}\right)"


def _previous(detail: StepDetail) -> str:
    """The subscript of the previous state in reading order: t-1, or t+1 read backwards."""
    return "t+1" if detail.direction == "backward" else "t-1"


def gate_equation(gate: GateTerms, previous: str = "t-1") -> Equation:
    """value = activation(W x_t + b + [r_t ×] (U h_prev + b')) for one gate of one unit."""
    letter = _LETTER.get(gate.name, "h")
    symbol = gate.symbol
    input_part = rf"W_{{i{letter}}} x_t + b_{{i{letter}}}"
    hidden_part = rf"W_{{h{letter}}} h_{{{previous}}} + b_{{h{letter}}}"
    if gate.name == "hidden":  # the plain RNN: PyTorch writes W_ih, W_hh
        input_part = r"W_{ih} x_t + b_{ih}"
        hidden_part = rf"W_{{hh}} h_{{{previous}}} + b_{{hh}}"
    pre = number(gate.pre_activation)
    if gate.name == "new":  # the GRU's reset gate scales the recurrent part
        symbolic = rf"{symbol}_t = " + _apply(
            gate.activation, rf"{input_part} + r_t \odot \left({hidden_part}\right)"
        )
        inside = (
            total([gate.from_input, gate.bias_input])
            + rf" + {factor(gate.scale)} \times \left({total([gate.from_hidden, gate.bias_hidden])}\right)"
        )
    else:
        symbolic = rf"{symbol}_t = " + _apply(gate.activation, f"{input_part} + {hidden_part}")
        inside = total([gate.from_input, gate.bias_input, gate.from_hidden, gate.bias_hidden])
    numeric = f"= {_apply(gate.activation, inside)} = {_apply(gate.activation, pre)} = {number(gate.value)}"
    return Equation(gate.name, symbolic, numeric, gate.value)


def equations(detail: StepDetail) -> list[Equation]:
    """Every equation of the cell for `detail`'s unit and step, in the order they are computed:
    the gates, then the cell state (LSTM) and the hidden state."""
    previous = _previous(detail)
    found = [gate_equation(gate, previous) for gate in detail.gates]
    gates = {gate.name: gate.value for gate in detail.gates}
    if detail.cell is not None and detail.previous_cell is not None:  # LSTM
        f, i, g, o = gates["forget"], gates["input"], gates["cell"], gates["output"]
        found.append(
            Equation(
                "cell_state",
                rf"c_t = f_t \odot c_{{{previous}}} + i_t \odot g_t",
                rf"= {factor(f)} \times {factor(detail.previous_cell)} + {factor(i)} \times {factor(g)}"
                f" = {number(detail.cell)}",
                detail.cell,
            )
        )
        found.append(
            Equation(
                "hidden",
                r"h_t = o_t \odot \tanh\left(c_t\right)",
                rf"= {factor(o)} \times \tanh\left({number(detail.cell)}\right)"
                rf" = {factor(o)} \times {factor(math.tanh(detail.cell))} = {number(detail.hidden)}",
                detail.hidden,
            )
        )
    elif "update" in gates:  # GRU
        z, n = gates["update"], gates["new"]
        found.append(
            Equation(
                "hidden",
                rf"h_t = \left(1 - z_t\right) \odot n_t + z_t \odot h_{{{previous}}}",
                rf"= \left(1 - {number(z)}\right) \times {factor(n)} + {factor(z)} \times "
                f"{factor(detail.previous_hidden)} = {number(detail.hidden)}",
                detail.hidden,
            )
        )
    return found
