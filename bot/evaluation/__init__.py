"""Measuring answer quality on held-out questions (eval/)."""
