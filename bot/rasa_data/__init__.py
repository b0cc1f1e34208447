"""Rasa training data derived from the ingested sources."""
