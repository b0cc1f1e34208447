"""Rasa input channels of our own, loaded by class path from credentials.yml.

These modules run inside the Rasa server's environment (.venv-rasa, Python
3.10): keep them free of torch/faiss and of anything the action server owns.
"""
