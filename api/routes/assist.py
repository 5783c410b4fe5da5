"""Placeholder until the assist routes land (being written in this change)."""

from fastapi import APIRouter

router = APIRouter()
