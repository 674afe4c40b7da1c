"""The analysis layer: numbers about traces (unit rankings, where a prediction changes its mind, pairs
aligned and compared, contrast sets, negation units, attributions, gradient flow and the training
probe), computed without drawing anything."""
