"""Rasa 3.6's per-turn hot paths, made cheap without changing what they decide.

Measured with py-spy on the Rasa server during ``bench/bench_chat.py`` at 10 residents:

* **Action responses.** Every custom action's response is checked with
  ``jsonschema.validate(result, schema)``, which first re-validates the schema itself against
  its meta-schema: ``check_schema`` took 23 % of the server's CPU and the validation proper
  11 %. The schema never changes, so one validator, checked once, gives the same verdicts and
  the same error for a fraction of the cost.
* **Event types.** Rebuilding a tracker from stored events looks up each event's class by
  walking every subclass of ``Event`` (``all_subclasses``, 7 % of the CPU once the above was
  fixed). Classes found are remembered by type name; unknown names still go to Rasa's lookup.
* **Calls to the action server.** ``EndpointConfig.request`` opened a new ``aiohttp`` session,
  and so a new TCP connection, for every call (two per turn: the slot-mapping validation and
  the action), and serialised the whole tracker with the standard ``json`` module (6 % of the
  server's CPU). One session per event loop keeps connections alive (idle ones for 2 s, less
  than the action server keeps them), and ``ujson`` (already installed with Rasa) writes the
  same JSON; anything ``ujson`` refuses goes to ``json``.
* **Understanding a message.** The NLU graph (DIET's TensorFlow call above all, a third of
  the server's CPU) ran on the event loop, so while one message was parsed no other
  conversation moved. It now runs on one worker thread of its own: TensorFlow lets go of the
  GIL while it computes, so the loop meanwhile reads and saves trackers, predicts actions and
  calls the action server for other conversations. One thread, so parses never overlap each
  other, as they never did; a conversation's own turns stay in order (Rasa's lock store).

Installed by ``rasa_components`` on import, which the Rasa server does when it loads the
model's custom NLU components, before it handles a message.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import ssl
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import aiohttp
import rasa
import ujson
from aiohttp.client_exceptions import ContentTypeError
from jsonschema import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import UserMessage
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.core.processor import MessageProcessor
from rasa.core.processor import structlogger as structlogger  # Rasa's own, so its debug log is unchanged
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import FileNotFoundException
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

logger = logging.getLogger(__name__)

#: ``endpoint_request`` and ``parse_message`` are Rasa's own methods of this release with one change
#: each; on another release they could silently undo a fix of Rasa's, so they are not installed.
WRITTEN_FOR = "3.6.21"

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


_sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}
#: Idle connections are dropped well before the action server's Sanic drops them (5 s), so a
#: request never goes out on a connection the server is closing at that moment.
KEEPALIVE_S = 2.0


def shared_session() -> aiohttp.ClientSession:
    """One keep-alive session per event loop (Rasa serves on one loop; tests may run several)."""
    loop = asyncio.get_running_loop()
    session = _sessions.get(loop)
    if session is None or session.closed:
        for stale in [k for k in _sessions if k.is_closed()]:
            del _sessions[stale]
        session = _sessions[loop] = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        )
    return session


async def close_shared_session() -> None:
    """Closes this loop's session when the server stops, so no connection is left for the GC to report."""
    session = _sessions.pop(asyncio.get_running_loop(), None)
    if session is not None:
        await session.close()


def dumps(payload: Any) -> bytes:
    """UTF-8 JSON; what ``ujson`` cannot write as UTF-8 (a lone surrogate, say) goes to ``json``, escaped."""
    try:
        return ujson.dumps(payload, ensure_ascii=False, escape_forward_slashes=False).encode()
    except (TypeError, OverflowError, ValueError):  # UnicodeEncodeError is a ValueError
        return json.dumps(payload).encode()


async def endpoint_request(
    self: EndpointConfig,
    method: str = "post",
    subpath: str | None = None,
    content_type: str | None = "application/json",
    compress: bool = False,
    **kwargs: Any,
) -> Any:
    """Drop-in for ``EndpointConfig.request``: same headers, auth, parameters, errors and result."""
    headers = {"Content-Type": content_type} if content_type else {}
    headers.update(kwargs.pop("headers", None) or {})
    if self.headers:
        headers.update(self.headers)
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    sslcontext = None
    if self.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=self.cafile)
        except FileNotFoundError as error:
            raise FileNotFoundException(f"Failed to find certificate file, '{self.cafile}' does not exist.") from error
    if "json" in kwargs:
        kwargs["data"] = dumps(kwargs.pop("json"))
    params = self.combine_parameters(kwargs)
    async with shared_session().request(
        method,
        concat_url(self.url, subpath),
        headers=headers,
        auth=auth,
        params=params,
        compress=compress,
        ssl=sslcontext,
        **kwargs,
    ) as response:
        if response.status >= 400:
            raise ClientResponseError(response.status, response.reason, await response.content.read())
        try:
            return await response.json()
        except ContentTypeError:
            return None


_rasa_parse_message = MessageProcessor.parse_message
_nlu_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cunfa-nlu")


async def parse_message(
    self: MessageProcessor,
    message: UserMessage,
    tracker: DialogueStateTracker | None = None,
    only_output_properties: bool = True,
) -> dict[str, Any]:
    """Drop-in for ``MessageProcessor.parse_message``, with the graph run on the NLU thread."""
    if self.http_interpreter:
        return await _rasa_parse_message(self, message, tracker, only_output_properties)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    parse_data = await asyncio.get_running_loop().run_in_executor(
        _nlu_thread, self._parse_message_with_graph, message, tracker, only_output_properties
    )
    # What Rasa 3.6 does after the graph, step for step.
    self._update_full_retrieval_intent(parse_data)
    structlogger.debug(
        "processor.message.parse",
        parse_data_text=copy.deepcopy(parse_data["text"]),
        parse_data_intent=parse_data["intent"],
        parse_data_entities=copy.deepcopy(parse_data["entities"]),
    )
    self._check_for_unseen_features(parse_data)
    return parse_data


def install(rasa_version: str = rasa.__version__) -> bool:
    """Patch Rasa's hot paths; refuses (and says why) on a Rasa release they were not written for."""
    if rasa_version != WRITTEN_FOR:
        logger.error(
            "rasa_components.hot_paths: written for Rasa %s, but Rasa %s is installed; the per-turn "
            "speed-ups are NOT installed. Compare endpoint_request and parse_message with the new "
            "release's EndpointConfig.request and MessageProcessor.parse_message, then update WRITTEN_FOR.",
            WRITTEN_FOR,
            rasa_version,
        )
        return False
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(resolve_event_type)  # type: ignore[method-assign]
    EndpointConfig.request = endpoint_request  # type: ignore[method-assign]
    MessageProcessor.parse_message = parse_message  # type: ignore[method-assign]
    return True
