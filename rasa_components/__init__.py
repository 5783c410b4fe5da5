"""Custom NLU components that run inside the Rasa process (and only there: they import ``rasa``).

They wrap ``triage`` so that the dialogue and the hotline assist API judge the same words the
same way; the logic lives in ``triage`` and is tested without Rasa.
"""
