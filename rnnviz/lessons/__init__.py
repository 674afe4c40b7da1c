"""The lessons layer: the words for people (each quantity's title, symbol, value range and caption),
kept as data that pages and plots read rather than as code paths."""
