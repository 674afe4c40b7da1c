"""Cost of one Explore update for a 9-word sentence (default view): server work, bytes of figures,
and the browser's time from Enter to the last chart drawn as a multiple of a one-chart toy page's.

Run: python -m bench.explore [--rounds 15] [--browser-rounds 15] [--no-browser]

Uses the shipped LSTM (models/lstm.safetensors) when it exists, else a stand-in of the
default's likely size: a 1-layer, 128-unit LSTM with a 10,000-token vocabulary and
random weights (speed and sizes do not depend on what the weights have learnt).

  1. library: trace + every figure the page draws + their JSON, as the page builds them
  2. script:  one whole rerun of the page script in Streamlit's AppTest (widgets, protobuf, …)
  3. bytes:   the plotly JSON of all figures of one update (what the browser receives)
  4. browser: Chromium against a real `streamlit run app.py` and `streamlit run bench/toy_page.py`
              (a text box and one chart), a tab each for Explore's default view, Explore with
              every heatmap side by side, and the toy page, taking turns: the time from pressing
              Enter to the moment every chart shows the new sentence, and Explore's time divided
              by the toy page's in the same round (median over the rounds)
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

import plotly.io as pio
import torch

from bench.common import APP, TOY_PAGE, app_test, enter_to_drawn, repeat_seconds
from rnnviz.analysis import units as analysis
from rnnviz.core import checkpoints
from rnnviz.core.models import Classifier, ModelConfig, SentenceClassifier
from rnnviz.core.text import Vocab
from rnnviz.core.threads import limit_torch_threads
from rnnviz.core.trace import trace_sentence
from rnnviz.plots import base as plots
from rnnviz.plots import html as render
from rnnviz.plots import trace as trace_plots
from rnnviz.tools.appserver import AppServer
from rnnviz.tools.browser import VIEWPORT, launch_chromium, open_app, rerun_after

WORDS = (  # 30 tokens (bench.negation_lab's sentences)
    "the movie was not good and the acting was not bad , but i do not think the plot "
    "is very good or that the ending was fun at all"
).split()
NINE = "i do not think this movie is very".split()
SENTENCES = (" ".join([*NINE, "good"]), " ".join([*NINE, "bad"]))  # 9 words each, one last word apart


def standin_lstm() -> Classifier:
    """Random 1-layer 128-unit LSTM over a 10k vocabulary that contains WORDS."""
    torch.manual_seed(0)
    filler = [f"word{i}" for i in range(10_000 - 2 - len(set(WORDS)))]
    vocab = Vocab.build([WORDS, filler])
    config = ModelConfig(
        vocab_size=len(vocab),
        labels=("negative", "positive"),
        cell="lstm",
        embedding_dim=128,
        hidden_size=128,
    )
    return Classifier(model=SentenceClassifier(config), vocab=vocab)


def models_dir() -> tuple[Path | None, str]:
    """(folder for RNNVIZ_MODELS_DIR or None for the shipped one, description)."""
    shipped = Path(checkpoints.MODELS_DIR) / checkpoints.SHIPPED["lstm"]
    if shipped.is_file():
        return None, f"shipped LSTM ({shipped})"
    folder = Path(tempfile.mkdtemp(prefix="rnnviz-bench-"))
    checkpoints.save(standin_lstm(), folder / checkpoints.SHIPPED["lstm"])
    return folder, "stand-in LSTM, 1 layer × 128 units, embedding 128, vocabulary 10,000, random weights"


def page_figures(classifier: Classifier, text: str) -> tuple[list, list[str]]:
    """The figures and HTML snippets the Explore page builds for `text` (default controls: the
    prediction, the heatmap of h and the lines of the three most changed units)."""
    sentence = trace_sentence(classifier, text, max_tokens=200)
    tokens, trace = sentence.tokens, sentence.trace
    state = trace.state(0, "forward")
    order = analysis.unit_order(state.hidden, "changed")[:16]
    figures = [
        trace_plots.prediction_chart(tokens, sentence.prefix_probabilities, sentence.labels),
        trace_plots.state_heatmap(state.hidden, tokens, "hidden", trace.cell_type, units=order),
    ]
    units = analysis.top_units(state.hidden, "changed", 3)
    figures.append(trace_plots.unit_lines(state.hidden, tokens, units, "hidden", trace.cell_type))
    scale = plots.colour_range("hidden", trace.cell_type, state.hidden)
    html = [
        render.token_chips(tokens, sentence.unknown),
        render.coloured_tokens(tokens, state.hidden[:, units[0]], scale, "h"),
    ]
    return figures, html


def library_update(classifier: Classifier, text: str) -> int:
    """One update's library work including JSON; returns the bytes of figure JSON."""
    figures, _ = page_figures(classifier, text)
    return sum(len(pio.to_json(figure, validate=False)) for figure in figures)


def median_seconds(run, rounds: int) -> float:
    """Median seconds of `rounds` calls of `run`, after one warm-up call."""
    return statistics.median(repeat_seconds(run, rounds))


def script_rerun_seconds(folder: Path | None, rounds: int) -> float:
    """Median time of a full page rerun after a new sentence, in AppTest."""
    at = app_test(folder, timeout=120)
    at.run()
    flip = iter(SENTENCES * (rounds + 1))

    def rerun():
        at.text_input(key="explore_sentence").set_value(next(flip)).run()
        assert not at.exception, at.exception

    return median_seconds(rerun, rounds)


# Done when the script has finished and each of the page's COUNT charts shows `last`, the
# sentence's last word, as its last tick. Each text typed ends in another word than the one
# before, so a chart the new run has not replaced yet still shows the old word. (A counter of
# script-state changes cannot tell: the toy page's run can start and end within one render.)
CHARTS_UPDATED = """(last) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    const updated = charts.length >= COUNT && charts.every(chart => {
        const ticks = chart.querySelectorAll('.xaxislayer-above .xtick text');
        return ticks.length && ticks[ticks.length - 1].textContent === last;
    });
    if (updated) window.__rnnvizDone = performance.now();
    return updated;
}"""


def browser_seconds(folder: Path | None, rounds: int) -> dict[str, list[float]]:
    """Seconds from pressing Enter to every chart showing the new sentence, round by round, for
    Explore's default view, Explore with every heatmap side by side (the page's default before
    issue 16) and the toy page; each in its own tab of one Chromium, taking turns."""
    from playwright.sync_api import sync_playwright

    with (
        AppServer(APP, folder) as app,
        AppServer(TOY_PAGE, None) as toy,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        tabs = {}
        for name, server in (("Explore", app), ("Explore, all side by side", app), ("toy page", toy)):
            page = browser.new_page(viewport=VIEWPORT)
            open_app(page, server.url)
            if name.endswith("side by side"):
                switch = page.get_by_test_id("stButtonGroup").filter(has_text="All side by side")
                rerun_after(page, switch.get_by_text("All side by side", exact=True).click)
            box = page.get_by_role("textbox", name="Type a sentence and press Enter", exact=True)
            charts = page.get_by_test_id("stPlotlyChart").count()
            done = CHARTS_UPDATED.replace("COUNT", str(charts))
            # warm-up, not counted; the page opened on a sentence that ends in "good"
            enter_to_drawn(page, box, [SENTENCES[1], SENTENCES[0]], done, 60_000, warm_up=False)
            tabs[f"{name} ({charts} chart{'s' if charts > 1 else ''})"] = (page, box, done)
        times: dict[str, list[float]] = {name: [] for name in tabs}
        for round_ in range(rounds):
            text = SENTENCES[(round_ + 1) % 2]  # never the last word the page shows
            names = list(tabs)[round_ % 3 :] + list(tabs)[: round_ % 3]  # each tab goes first in turn
            for name in names:
                page, box, done = tabs[name]
                page.bring_to_front()
                times[name].extend(enter_to_drawn(page, box, [text], done, 60_000, warm_up=False))
        browser.close()
    return times


def main() -> None:
    """Measure and print the results (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--browser-rounds", type=int, default=15)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    limit_torch_threads()  # as app.py does
    folder, description = models_dir()
    classifier = checkpoints.load(Path(folder or checkpoints.MODELS_DIR) / checkpoints.SHIPPED["lstm"])
    tokens = len(trace_sentence(classifier, SENTENCES[0]).tokens)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; model: {description}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; sentence: {tokens} tokens")
    trace_only = median_seconds(lambda: trace_sentence(classifier, SENTENCES[0]), args.rounds)
    library = median_seconds(lambda: library_update(classifier, SENTENCES[0]), args.rounds)
    figures, html = page_figures(classifier, SENTENCES[0])
    sizes = [len(pio.to_json(figure, validate=False)) for figure in figures]
    print(f"trace alone:                          {trace_only * 1e3:7.1f} ms (median of {args.rounds})")
    print(f"trace + {len(figures)} figures + JSON (library):   {library * 1e3:7.1f} ms")
    script = script_rerun_seconds(folder, args.rounds)
    print(f"whole page rerun in AppTest:          {script * 1e3:7.1f} ms")
    print(
        f"figure JSON per update: {sum(sizes) / 1024:.0f} KB in {len(sizes)} figures "
        f"(largest {max(sizes) / 1024:.0f} KB); HTML snippets {sum(map(len, html)) / 1024:.0f} KB"
    )
    if not args.no_browser:
        times = browser_seconds(folder, args.browser_rounds)
        for name, seconds in times.items():
            print(
                f"browser, Enter -> last chart drawn, {name}: {statistics.median(seconds) * 1e3:.0f} ms "
                f"median (min {min(seconds) * 1e3:.0f}, max {max(seconds) * 1e3:.0f}, {len(seconds)} rounds)"
            )
        default, every, toy = times.values()
        for name, seconds in (("Explore", default), ("Explore, all side by side", every)):
            ratios = [page / yardstick for page, yardstick in zip(seconds, toy, strict=True)]
            print(
                f"{name} / toy page, median of {len(ratios)} rounds: {statistics.median(ratios):.2f} "
                f"(rounds {min(ratios):.2f}-{max(ratios):.2f}; goal for the default view <= 3)"
            )


if __name__ == "__main__":
    main()
