"""The data layer: datasets, splits and batching; the built-in grammar; the downloaded corpora; user tables;
minimal pairs; all data sources by name."""
