"""Turn scanned newspaper pages into clean articles and FAQ pairs.

Entry points live in :mod:`bot.ingest.pipeline`; everything else is a
single-purpose helper so each rule (layout repair, headings, Q&A, sentences)
can be read and tested on its own.
"""
