"""The tools layer, on top of the package: the command line, the script that builds the shipped models,
and what tests and benches use to run the real app (a streamlit server, Chromium, stand-in models)."""
