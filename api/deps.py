"""FastAPI dependencies: typed access to the app's shared resources."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.state import AppState
from cunfa.settings import Settings
from knowledge import IndexNotBuilt, KnowledgeBase


def get_state(request: Request) -> AppState:
    return request.app.state.cunfa


def get_knowledge(state: Annotated[AppState, Depends(get_state)]) -> KnowledgeBase:
    if state.knowledge is None:
        raise IndexNotBuilt(state.knowledge_error or "knowledge index is not loaded yet")
    return state.knowledge


def get_app_settings(state: Annotated[AppState, Depends(get_state)]) -> Settings:
    return state.settings


StateDep = Annotated[AppState, Depends(get_state)]
KnowledgeDep = Annotated[KnowledgeBase, Depends(get_knowledge)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
