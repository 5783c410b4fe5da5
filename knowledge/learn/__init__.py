"""Offline fitting for ``knowledge``: run by ``make`` targets, never imported by the serving path."""
