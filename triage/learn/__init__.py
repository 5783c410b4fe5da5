"""Offline fitting for ``triage``: run by ``make risk-model``, never imported by the serving path."""
