"""Custom NLU components that run inside the Rasa process (and only there: they import ``rasa``).

They wrap ``triage`` so that the dialogue and the hotline assist API judge the same words the
same way; the logic lives in ``triage`` and is tested without Rasa.

They also hold the Rasa-side measures that keep a turn cheap (``hot_paths``,
``tracker_store``); see docs/deployment.md for the figures.
"""

from rasa_components.hot_paths import install as _install_hot_paths

_install_hot_paths()
