"""How the app writes a number for people: fixed decimals, never "−0.000", and the minus sign of the medium.

Diagram labels (plotly text) use the typographic minus "−"; LaTeX equations use "-", which
LaTeX typesets as a minus itself. A negative factor in a product is put in parentheses.
"""

from __future__ import annotations

DECIMALS = 3  # every substituted number in diagrams and equations: enough to check by hand
TYPOGRAPHIC_MINUS = "−"


def fixed(
    value: float, decimals: int = DECIMALS, minus: str = TYPOGRAPHIC_MINUS, signed: bool = False
) -> str:
    """`value` rounded to `decimals` places ('−0.105', or '+0.105' when `signed`); a value that
    rounds to zero is written '0.000', never with a sign."""
    text = f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"
    if float(text) == 0:
        return f"{0:.{decimals}f}"
    return text.replace("-", minus)


def factor(
    value: float, decimals: int = DECIMALS, minus: str = TYPOGRAPHIC_MINUS, brackets: str = "()"
) -> str:
    """`value` as a factor in a product: negative ones in brackets, e.g. '(−0.894)'."""
    text = fixed(value, decimals, minus)
    opening, closing = (brackets[0], brackets[1]) if len(brackets) == 2 else brackets.split(" ", 1)
    return f"{opening}{text}{closing}" if text.startswith(minus) else text
