"""The plots layer: traces, pair comparisons and training histories turned into plotly figures, LaTeX,
formatted numbers and escaped HTML snippets by pure functions that never call Streamlit (base holds
what every chart shares)."""
