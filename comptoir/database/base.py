"""Declarative base shared by every domain's models (tables themselves come from migrations)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
