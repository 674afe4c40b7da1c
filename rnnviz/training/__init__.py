"""Training: configs and their ranges, the trainer, metrics, run history, background jobs."""
