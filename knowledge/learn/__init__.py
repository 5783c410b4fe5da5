"""Offline fitting for ``knowledge``: index build, encoder training, ranker fitting, evaluation.

Run by ``cunfa index build``, ``cunfa eval`` and the ``make`` targets; the serving core never
imports this package (``tests/test_import_layers.py``).
"""
