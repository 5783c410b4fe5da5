"""Rasa custom actions, one module per action (``rasa_sdk`` discovers every submodule).

Actions are thin: they read the tracker, call ``knowledge`` (and later ``cases``), format a
reply with ``actions._replies`` and return events. They never import ``rasa``.
"""

from cunfa.logs import install_redaction

# rasa_sdk has configured its logging by the time it imports this package.
install_redaction()
