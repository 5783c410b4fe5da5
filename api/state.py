"""Process-wide resources of the API, created in the app's lifespan (never at import time)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import httpx

from api.limits import SlidingWindowLimiter
from api.rasa_client import RasaClient
from cases import CaseStore, open_store
from cunfa.data_keys import ensure_configured
from cunfa.settings import Settings
from knowledge import IndexNotBuilt, KnowledgeBase
from knowledge.guides import GuideFormatError
from knowledge.guides.policy import Advisor
from knowledge.guides.service import shared_advisor

logger = logging.getLogger(__name__)


@dataclass
class AppState:
    settings: Settings
    http: httpx.AsyncClient
    rasa: RasaClient
    knowledge: KnowledgeBase | None = None
    knowledge_error: str | None = "loading"
    #: Chat turns per resident per minute; one looping client must not starve the rest.
    user_limiter: SlidingWindowLimiter = field(default_factory=lambda: SlidingWindowLimiter(30, 60.0))
    _loader: asyncio.Task | None = field(default=None, repr=False)

    def case_store(self) -> CaseStore:
        """The case store for the configured database (opened, and migrated, on first use)."""
        ensure_configured(self.settings)
        return open_store(self.settings.database)

    def advisor(self) -> Advisor | None:
        """The answer policy (guides over the index), or None while the index is not loaded."""
        if self.knowledge is None:
            return None
        try:
            return shared_advisor(self.settings, self.knowledge)
        except GuideFormatError:
            logger.exception("matter guides could not be loaded")
            return None

    def _warm_advisor(self, knowledge: KnowledgeBase) -> None:
        """Read the guides and the matter model now, not in the first degraded turn."""
        try:
            shared_advisor(self.settings, knowledge)
        except GuideFormatError:
            logger.exception("matter guides could not be loaded; degraded answers will cite articles only")

    def start_loading_knowledge(self) -> None:
        """Load the index off the event loop so /healthz answers while it loads."""
        if self.knowledge is None:
            self._loader = asyncio.create_task(self._load_knowledge())

    async def _load_knowledge(self) -> None:
        try:
            knowledge = await asyncio.to_thread(KnowledgeBase.from_settings, self.settings)
            await asyncio.to_thread(self._warm_advisor, knowledge)
            self.knowledge = knowledge
            self.knowledge_error = None
            logger.info("knowledge index %s loaded", self.knowledge.manifest.get("key"))
        except (IndexNotBuilt, FileNotFoundError) as exc:
            self.knowledge_error = str(exc)
            logger.error("knowledge index unavailable: %s", exc)
