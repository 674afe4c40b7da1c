"""Cost of a full trace (all states and gates) relative to the plain module forward, for the
shipped LSTM and GRU at 8, 16, 64 and 200 tokens, batch 1, one torch thread (as the app runs).
Sentences up to rnnviz.core.trace.STEPWISE_MAX_STEPS tokens (LSTM_STEPWISE_MAX_STEPS for the
LSTM) take the numpy step-by-step path, longer ones the fused kernel: the LSTM's gates read from
its workspace (rnnviz.core.lstm_workspace), the GRU's recovered by matrix products.

Run: python -m bench.trace
"""

from __future__ import annotations

import os

import torch

from bench.common import interleaved_ratio
from rnnviz.core import checkpoints, lstm_workspace
from rnnviz.core.threads import limit_torch_threads
from rnnviz.core.trace import LSTM_STEPWISE_MAX_STEPS, STEPWISE_MAX_STEPS, trace_module

LENGTHS = (8, 16, 64, 200)


def main() -> None:
    """Measure and print the results (see the module's docstring)."""
    limit_torch_threads()
    torch.manual_seed(0)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), load average {load}")
    print(f"step-by-step path up to {STEPWISE_MAX_STEPS} tokens ({LSTM_STEPWISE_MAX_STEPS} for the LSTM)")
    print(f"{'case':40} {'forward':>10} {'trace':>10} {'ratio':>6}")
    for name in ("lstm", "gru"):
        module = checkpoints.load_classifier(name).model.rnn
        for steps in LENGTHS:
            inputs = torch.randn(steps, module.input_size)
            with torch.no_grad():
                ratio, traced, forward = interleaved_ratio(
                    lambda m=module, x=inputs: trace_module(m, x),
                    lambda m=module, x=inputs: m(x[None]),
                )
            case = f"shipped {name.upper()} {module.num_layers}x{module.hidden_size}, {steps} tokens"
            print(f"{case:40} {forward * 1e3:8.3f}ms {traced * 1e3:8.3f}ms {ratio:6.2f}")
    usable = "yes" if lstm_workspace.usable() else "no: recovered by matrix products"
    print(f"LSTM gates read from the kernel's workspace: {usable}")


if __name__ == "__main__":
    main()
