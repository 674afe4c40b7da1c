"""The core layer, which everything else builds on: what a word is (tokenizer, vocabulary, negators), the
classifier and its config, the one place with the gate equations (trace), checkpoints, user text made
safe for markdown, and torch's thread count."""
