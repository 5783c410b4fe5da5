"""Two of Rasa 3.6's per-turn hot paths, made cheap without changing what they decide.

Measured with py-spy on the Rasa server during ``bench/bench_chat.py`` at 10 residents:

* **Action responses.** Every custom action's response is checked with
  ``jsonschema.validate(result, schema)``, which first re-validates the schema itself against
  its meta-schema: ``check_schema`` took 23 % of the server's CPU and the validation proper
  11 %. The schema never changes, so one validator, checked once, gives the same verdicts and
  the same error for a fraction of the cost.
* **Event types.** Rebuilding a tracker from stored events looks up each event's class by
  walking every subclass of ``Event`` (``all_subclasses``, 7 % of the CPU once the above was
  fixed). Classes found are remembered by type name; unknown names still go to Rasa's lookup.

Installed by ``rasa_components`` on import, which the Rasa server does when it loads the
model's custom NLU components, before it handles a message.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event

_rasa_resolve_by_type = Event.resolve_by_type
_event_types: dict[str, type[Event]] = {}


@lru_cache(maxsize=1)
def response_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Drop-in for ``RemoteAction._validate_action_result`` (same return, same exception)."""
    try:
        response_validator().validate(result)
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


def resolve_event_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Drop-in for ``Event.resolve_by_type``."""
    known = _event_types.get(type_name)
    if known is not None:
        return known
    found = _rasa_resolve_by_type(type_name, default)
    if found is not None and getattr(found, "type_name", None) == type_name:
        _event_types[type_name] = found
    return found


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(resolve_event_type)  # type: ignore[method-assign]
