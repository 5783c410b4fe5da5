"""Request and response models of the public API (pydantic v1, as Rasa 3.6 requires)."""
