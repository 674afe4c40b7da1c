"""Command line: `python -m rnnviz trace|...`. Parses arguments, calls rnnviz, prints results.

Errors are one line on stderr ("rnnviz: error: ...") and a non-zero exit status,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from rnnviz.checkpoints import SHIPPED, CheckpointError, load_classifier
from rnnviz.trace import trace_sentence


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of usage + message
        self.exit(2, f"rnnviz: error: {message} (see --help)\n")


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


def _read_text(value: str) -> str:
    return sys.stdin.read() if value == "-" else value


def _trace(args: argparse.Namespace) -> None:
    classifier = _load(args.model)
    text = _read_text(args.text)
    try:
        sentence = trace_sentence(classifier, text, max_tokens=args.max_tokens)
    except ValueError as error:
        raise CommandError(str(error)) from None
    result = {"model": classifier.config.to_dict(), **sentence.to_dict()}
    json.dump(result, sys.stdout, ensure_ascii=False, indent=args.indent)
    sys.stdout.write("\n")


def _load(model: str):
    try:
        return load_classifier(model)
    except CheckpointError as error:
        raise CommandError(str(error)) from None


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {number}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m rnnviz", description="Look inside recurrent sentence classifiers.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    model_help = f"a checkpoint path, or a shipped model: {', '.join(SHIPPED)}"

    trace = commands.add_parser("trace", help="print every state and gate for one sentence as JSON")
    trace.add_argument("--model", required=True, help=model_help)
    trace.add_argument("--text", required=True, help="the sentence ('-' reads standard input)")
    trace.add_argument("--max-tokens", type=_positive, default=None, help="keep only the first N tokens")
    trace.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")
    trace.set_defaults(run=_trace)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except CommandError as error:
        print(f"rnnviz: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rnnviz: interrupted", file=sys.stderr)
        return 130
    return 0
