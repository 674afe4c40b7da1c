"""Package data read with importlib.resources: the built-in negation pairs (negation_pairs.tsv)."""
