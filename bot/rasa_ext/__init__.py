"""Components loaded by the Rasa server (Python 3.10 environment).

Nothing here may import the retrieval stack (torch, faiss): the Rasa
environment does not have it.
"""
