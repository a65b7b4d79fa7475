"""Every intent table is one the relay can sweep: its look-up of sellers with due rows reads it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from comptoir.automation import intents
from comptoir.database.engine import session_scope


@pytest.mark.parametrize("kind", intents.kinds(), ids=lambda kind: kind.name)
def test_the_relay_can_look_up_sellers_with_due_rows_in_every_intent_table(kind):
    with session_scope(None) as session:
        due = list(session.scalars(text("SELECT comptoir_sellers_with_due_intents(:table)"),
                                   {"table": kind.model.__tablename__}))
    assert due == []


def test_a_table_without_the_intent_shape_is_refused():
    with pytest.raises(Exception, match="not an intent table"), session_scope(None) as session:
        session.execute(text("SELECT comptoir_sellers_with_due_intents('users')")).all()
