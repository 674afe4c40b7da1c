"""Package data read with importlib.resources: the built-in negation pairs (negation_pairs.tsv) and the
shipped models (models/*.safetensors)."""
