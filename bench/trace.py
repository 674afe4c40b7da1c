"""Cost of a full trace (all states and gates) relative to the plain module forward.

Run: python -m bench.trace
"""

from __future__ import annotations

import torch
from torch import nn

from bench.common import interleaved_ratio
from rnnviz.core.trace import trace_module

CASES = [
    ("LSTM, 1 layer, 128 units, 64 tokens", nn.LSTM(128, 128), 64),
    (
        "GRU, 2 layers, bidirectional, 128 units, 64 tokens",
        nn.GRU(128, 128, num_layers=2, bidirectional=True),
        64,
    ),
    ("LSTM, 1 layer, 128 units, 200 tokens", nn.LSTM(128, 128), 200),
]


def main() -> None:
    """Measure and print the results (see the module's docstring)."""
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{'case':55} {'forward':>10} {'trace':>10} {'ratio':>6}")
    for name, module, steps in CASES:
        module.eval()
        inputs = torch.randn(steps, module.input_size)
        with torch.no_grad():
            ratio, traced, forward = interleaved_ratio(
                lambda m=module, x=inputs: trace_module(m, x),
                lambda m=module, x=inputs: m(x[:, None]),
            )
        print(f"{name:55} {forward * 1e3:8.3f}ms {traced * 1e3:8.3f}ms {ratio:6.2f}")


if __name__ == "__main__":
    main()
