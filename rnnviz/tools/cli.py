"""Command line: `python -m rnnviz trace|train|evaluate`. Parses arguments, calls rnnviz, prints results.

Errors are one line on stderr ("rnnviz: error: ...") and a non-zero exit status,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from rnnviz.core.checkpoints import BASELINES, SHIPPED, CheckpointError, load_baseline, load_classifier, save
from rnnviz.core.markup import clip
from rnnviz.core.models import CELL_TYPES, READOUTS
from rnnviz.core.trace import trace_sentence
from rnnviz.data.corpora import CorpusError
from rnnviz.data.pairs import read_pairs
from rnnviz.data.sources import SOURCES, load_source
from rnnviz.data.word_vectors import WordVectorError
from rnnviz.training.config import DEVICES, TRAIN_RANGES, TrainConfig
from rnnviz.training.metrics import Predictor, VaderBaseline, evaluate_dataset, pair_score
from rnnviz.training.trainer import Trainer, TrainEvent, load_training_data


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
    sys.stdout.write(sentence.to_json(classifier.config, indent=args.indent))
    sys.stdout.write("\n")


def _load(model: str):
    try:
        return load_classifier(model)
    except CheckpointError as error:
        raise CommandError(str(error)) from None


def _load_baseline(name: str):
    try:
        return load_baseline(name)
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


def _setting(name: str) -> Callable[[str], float]:
    """An argparse type for TrainConfig's `name`: a value in its one valid range
    (rnnviz.training.config.TRAIN_RANGES), so a bad value fails before any data is loaded."""
    valid = TRAIN_RANGES[name]

    def parse(value: str) -> float:
        try:
            number = int(value) if valid.whole else float(value)
        except ValueError:
            kind = "a whole number" if valid.whole else "a number"
            raise argparse.ArgumentTypeError(f"expected {kind}, got {value!r}") from None
        problem = valid.problem(name, number)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return number

    return parse


def _corpus_repeat(value: str) -> tuple[str, int]:
    """'nyt=6' -> ('nyt', 6); TrainConfig checks the corpus and the number."""
    source, _, times = value.partition("=")
    if not times.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected CORPUS=TIMES, e.g. nyt=3; got {clip(value, 40)!r}")
    return source.strip(), int(times)


def _progress_line(fraction: float, message: str) -> None:
    print(f"rnnviz: {message}", file=sys.stderr)


def _train_config(args: argparse.Namespace) -> TrainConfig:
    try:
        return TrainConfig(
            data=tuple(args.data or ("builtin",)),
            builtin_size=args.builtin_size,
            written_repeat=args.written_repeat,
            corpus_repeats=tuple(args.corpus_repeat or ()),
            neutral_band=args.neutral_band,
            val_fraction=args.val_fraction,
            cell="rnn_tanh" if args.cell == "rnn" else args.cell,
            embedding_dim=args.embedding_dim,
            hidden_size=args.hidden_size,
            num_layers=args.num_layers,
            bidirectional=args.bidirectional,
            dropout=args.dropout,
            readout=args.readout,
            lexicon_prior=args.lexicon_prior,
            word_vectors=args.word_vectors,
            lr=args.lr,
            lr_decay=args.lr_decay,
            weight_decay=args.weight_decay,
            batch_size=args.batch_size,
            epochs=args.epochs,
            seed=args.seed,
            clip_norm=args.clip_norm,
            device=args.device,
            min_count=args.min_count,
            max_vocab=args.max_vocab,
            max_tokens=args.max_tokens,
            threads=args.threads,
        )
    except ValueError as error:
        raise CommandError(str(error)) from None


def _train(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    config = _train_config(args)
    out = Path(args.out)
    if out.is_dir():
        raise CommandError(f"--out {out} is a folder; give a file name such as {out / 'model.safetensors'}")
    existing = next(folder for folder in out.absolute().parents if folder.exists())  # / always exists
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise CommandError(
            f"--out {out} cannot be written: {existing} is not a folder this user can write to"
        )
    try:
        train_data, val_data = load_training_data(config, None if args.quiet else _progress_line)
        trainer = Trainer(config, train_data, val_data)
    except (ValueError, CorpusError, WordVectorError) as error:
        raise CommandError(str(error)) from None
    if not args.quiet:
        print(
            f"rnnviz: training {trainer.model.config.describe()} on {len(train_data):,} texts "
            f"(validation {len(val_data):,}, vocabulary {len(trainer.vocab):,})",
            file=sys.stderr,
        )
    bar = tqdm(
        total=trainer.total_steps, unit="step", file=sys.stderr, disable=args.quiet, dynamic_ncols=True
    )
    trainer.on_event = lambda event: _show(bar, event)
    outcome: dict = {}
    worker = threading.Thread(target=lambda: _run_into(trainer, outcome), daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:  # Ctrl-C: stop after this step and keep the best weights
        bar.write("rnnviz: stopping after this step (Ctrl-C again to abandon)", file=sys.stderr)
        trainer.stop()
        worker.join()
    bar.close()
    if "error" in outcome:
        raise CommandError(f"training failed: {outcome['error']}")
    state = trainer.state()
    if state.best_epoch:
        try:
            save(outcome["classifier"], out)
        except OSError as error:  # e.g. the disk filled up during training; any old file is intact
            raise CommandError(f"cannot save {out}: {error.strerror or error}") from None
        print(f"saved {out}: {state.message}; {trainer.training_seconds:.0f} s")
    if state.status == "failed" or not state.best_epoch:
        raise CommandError(state.message + ("" if state.best_epoch else "; nothing saved"))


def _show(bar, event: TrainEvent) -> None:
    """Training events -> the tqdm bar, and one line per validation."""
    if event.kind == "step":
        bar.update(event.step - bar.n)
        if event.step % 10 == 0:
            bar.set_postfix_str(f"epoch {event.epoch}, loss {event.train_loss:.3f}")
    elif event.kind == "epoch" and not bar.disable:
        name = "untrained" if event.epoch == 0 else f"epoch {event.epoch}"
        train = "" if event.train_loss is None else f"train loss {event.train_loss:.4f}, "
        bar.write(
            f"{name}: {train}val loss {event.val_loss:.4f}, val accuracy {event.val_accuracy:.4f}",
            file=sys.stderr,
        )


def _run_into(trainer: Trainer, outcome: dict) -> None:
    try:
        outcome["classifier"] = trainer.run()
    except Exception as error:
        outcome["error"] = error


def _evaluate(args: argparse.Namespace) -> None:
    if not args.data and not args.pairs:
        raise CommandError("give --data, --pairs or both")
    if args.model == "vader":
        model: Predictor = VaderBaseline()
    elif args.model in BASELINES:
        model = _load_baseline(args.model)
    else:
        model = _load(args.model)
    name = "VADER (rule-based baseline)" if args.model == "vader" else model.config.describe()
    report: dict = {"model": args.model}
    lines = [f"model: {name} ({args.model})"]
    try:
        if args.data:
            dataset = load_source(
                args.data,
                "test",
                builtin_size=args.builtin_size,
                neutral_band=args.neutral_band,
                progress=_progress_line,
            )
            metrics = evaluate_dataset(model, dataset)
            report["data"] = {"name": dataset.name, **metrics.to_dict()}
            per_class = ", ".join(f"{k} {v:.4f}" for k, v in metrics.per_class_accuracy.items())
            lines += [
                f"data: {dataset.name}, {metrics.n:,} texts",
                f"accuracy: {metrics.accuracy:.4f}",
                f"per-class accuracy: {per_class}",
                "confusion (rows: true, columns: predicted "
                + " / ".join(metrics.labels)
                + "): "
                + "; ".join(" ".join(str(v) for v in row) for row in metrics.confusion),
            ]
        if args.pairs:
            score = pair_score(model, read_pairs(args.pairs, model.labels))
            report["pairs"] = {
                "file": args.pairs,
                "n_pairs": score.n_pairs,
                "both_right": score.both_right,
                "sentence_accuracy": score.sentence_accuracy,
                "failures": [list(pair) for pair in score.failures],
            }
            lines.append(
                f"pairs: {round(score.both_right * score.n_pairs)} of {score.n_pairs} both right "
                f"({score.both_right:.4f}); sentences right {score.sentence_accuracy:.4f}"
            )
            lines += [f"  missed: {a!r} / {b!r}" for a, b in score.failures] if args.show_failures else []
    except (ValueError, CorpusError) as error:
        raise CommandError(str(error)) from None
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print("\n".join(lines))


def _add_train_arguments(train: argparse.ArgumentParser) -> None:
    defaults = TrainConfig()
    sources = ", ".join(SOURCES)
    train.add_argument(
        "--data",
        action="append",
        metavar="SOURCE",
        help=f"{sources} or a .csv/.tsv file (text and label columns); repeat to mix (default builtin)",
    )
    train.add_argument("--out", required=True, help="where to save the .safetensors checkpoint")
    shape = train.add_argument_group("network")
    shape.add_argument("--cell", choices=(*CELL_TYPES, "rnn"), default=defaults.cell, help="rnn = rnn_tanh")
    shape.add_argument("--embedding-dim", type=_setting("embedding_dim"), default=defaults.embedding_dim)
    shape.add_argument("--hidden-size", type=_setting("hidden_size"), default=defaults.hidden_size)
    shape.add_argument("--num-layers", type=_setting("num_layers"), default=defaults.num_layers)
    shape.add_argument("--bidirectional", action="store_true")
    shape.add_argument("--dropout", type=_setting("dropout"), default=defaults.dropout)
    shape.add_argument("--readout", choices=READOUTS, default=defaults.readout)
    shape.add_argument(
        "--lexicon-prior",
        action="store_true",
        help="VADER valence, negation and intensifier facts in fixed embedding columns",
    )
    shape.add_argument(
        "--word-vectors",
        action="store_true",
        help="start the embedding from GloVe word vectors (downloaded once with pip, 76 MB)",
    )
    fit = train.add_argument_group("optimisation")
    fit.add_argument("--lr", type=_setting("lr"), default=defaults.lr)
    fit.add_argument("--lr-decay", type=_setting("lr_decay"), default=defaults.lr_decay)
    fit.add_argument("--weight-decay", type=_setting("weight_decay"), default=defaults.weight_decay)
    fit.add_argument("--batch-size", type=_setting("batch_size"), default=defaults.batch_size)
    fit.add_argument("--epochs", type=_setting("epochs"), default=defaults.epochs)
    fit.add_argument("--seed", type=_setting("seed"), default=defaults.seed)
    fit.add_argument("--clip-norm", type=_setting("clip_norm"), default=defaults.clip_norm, help="0 = off")
    fit.add_argument("--device", choices=DEVICES, default=defaults.device)
    fit.add_argument(
        "--threads", type=_setting("threads"), default=defaults.threads, help="0 = torch's default"
    )
    text = train.add_argument_group("data handling")
    text.add_argument("--builtin-size", type=_setting("builtin_size"), default=defaults.builtin_size)
    text.add_argument(
        "--written-repeat",
        type=_setting("written_repeat"),
        default=defaults.written_repeat,
        help="times the hand-written sentences (--data written) are in the training mix",
    )
    text.add_argument(
        "--corpus-repeat",
        action="append",
        type=_corpus_repeat,
        metavar="CORPUS=TIMES",
        help="times a corpus named in --data (movies, amazon, nyt, tweets) is in the training mix",
    )
    text.add_argument("--neutral-band", type=_setting("neutral_band"), default=defaults.neutral_band)
    text.add_argument("--val-fraction", type=_setting("val_fraction"), default=defaults.val_fraction)
    text.add_argument("--min-count", type=_setting("min_count"), default=defaults.min_count)
    text.add_argument("--max-vocab", type=_setting("max_vocab"), default=defaults.max_vocab)
    text.add_argument("--max-tokens", type=_setting("max_tokens"), default=defaults.max_tokens)
    train.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    """The parser of `python -m rnnviz`: trace, train and evaluate."""
    parser = _Parser(prog="python -m rnnviz", description="Look inside recurrent sentence classifiers.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    model_help = f"a checkpoint path, or a shipped model: {', '.join(SHIPPED)}"

    trace = commands.add_parser("trace", help="print every state and gate for one sentence as JSON")
    trace.add_argument("--model", required=True, help=model_help)
    trace.add_argument("--text", required=True, help="the sentence ('-' reads standard input)")
    trace.add_argument("--max-tokens", type=_positive, default=None, help="keep only the first N tokens")
    trace.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")
    trace.set_defaults(run=_trace)

    train = commands.add_parser("train", help="train a classifier and save it as a .safetensors file")
    _add_train_arguments(train)
    train.set_defaults(run=_train)

    evaluate = commands.add_parser("evaluate", help="accuracy on a dataset's test split and/or minimal pairs")
    evaluate.add_argument(
        "--model",
        required=True,
        help=model_help + ", or bag / vader (the bag-of-embeddings and rule-based baselines)",
    )
    evaluate.add_argument(
        "--data",
        metavar="SOURCE",
        help=f"{', '.join(SOURCES)} (their fixed test splits) or a .csv/.tsv file (all rows)",
    )
    evaluate.add_argument(
        "--pairs",
        metavar="FILE",
        help="minimal pairs: a file of lines sentence<TAB>label, two per pair, or builtin (the shipped ones)",
    )
    evaluate.add_argument("--builtin-size", type=_setting("builtin_size"), default=TrainConfig().builtin_size)
    evaluate.add_argument("--neutral-band", type=_setting("neutral_band"), default=TrainConfig().neutral_band)
    evaluate.add_argument("--show-failures", action="store_true", help="list the pairs with a mistake")
    evaluate.add_argument("--json", action="store_true", help="print the results as JSON")
    evaluate.set_defaults(run=_evaluate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status (0, 1 for a user-facing error, 2 for bad arguments)."""
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
        sys.stdout.flush()  # here, so that a reader that has gone away is caught below
    except CommandError as error:
        print(f"rnnviz: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rnnviz: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `python -m rnnviz trace ... | head`: the reader stopped early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141  # what a program ended by SIGPIPE reports
    return 0
