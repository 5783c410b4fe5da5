"""Placeholder until the wechat routes land (being written in this change)."""

from fastapi import APIRouter

router = APIRouter()
