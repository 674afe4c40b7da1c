"""The Streamlit side of rnnviz, the only package that imports streamlit: session (routing, URL,
shared sentence), models (picker, upload), cache, widgets, player, output, teacher mode, and
the Train page's and Negation lab's own helpers. Import the submodule that owns a name."""
