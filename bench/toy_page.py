"""The yardstick page of the browser benches: a text box and one plotly chart, nothing else.

Run by the benches as `streamlit run bench/toy_page.py` (rnnviz.tools.appserver.AppServer); a page's
time from Enter to its charts drawn is reported as a multiple of this page's in the same run.
The chart is a small line chart over the sentence's words (two lines, markers, word ticks), the kind
of figure an app page draws, built and sent the ordinary way.
"""

import plotly.graph_objects as go
import streamlit as st

text = st.text_input("Type a sentence and press Enter", "the movie was not good", max_chars=5000)
words = text.split() or ["(empty)"]
positions = [f"{t + 1}: {word}" for t, word in enumerate(words)]
lengths = [len(word) for word in words]
figure = go.Figure(
    [
        go.Scatter(x=positions, y=lengths, name="letters", mode="lines+markers"),
        go.Scatter(x=positions, y=[sum(lengths[: t + 1]) / (t + 1) for t in range(len(words))], name="mean"),
    ],
    layout=dict(
        title="Letters per word",
        height=380,
        xaxis=dict(title="word", type="category", tickmode="array", tickvals=positions, ticktext=words),
        yaxis=dict(title="letters"),
    ),
)
st.plotly_chart(figure, width="stretch", key="toy_chart")
