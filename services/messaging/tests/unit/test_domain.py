"""The pure domain: a thread and its messages, who takes part, the notices of a new message."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from messaging.domain.notices import Recipient, notices
from messaging.domain.policies import Participant, ensure_takes_part
from messaging.domain.thread import Author, Kind, Thread

from servicekit.errors import NotFound, ValidationFailed

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def _thread(**overrides) -> Thread:
    values = {"thread_id": uuid.uuid4(), "security_model_id": uuid.uuid4(), "subject": "  Seal   audit ",
              "body": "\n Question?\nSecond line \n", "author": Author.CONTACT, "author_user_id": uuid.uuid4(),
              "attachment": None, "now": NOW}
    return Thread.start(**{**values, **overrides})


@pytest.mark.req("MSG-03")
def test_replies_append_in_order_and_show_newest_on_top():
    thread = _thread()
    assert (thread.subject, thread.messages[0].body) == ("Seal audit", "Question?\nSecond line")
    scss = uuid.uuid4()
    thread.reply(body="Answer", author=Author.SCSS, author_user_id=scss, attachment=None, now=NOW)
    thread.reply(body="Thanks", author=Author.CONTACT, author_user_id=uuid.uuid4(), attachment=None, now=NOW)
    assert [m.sequence for m in thread.newest_first()] == [3, 2, 1]
    events = thread.pull_events()
    assert [e.sequence for e in events] == [1, 2, 3] and [e.version for e in events] == [1, 2, 3]
    assert events[1].author == "scss" and events[1].author_user_id == scss


@pytest.mark.req("MSG-04")
def test_a_message_needs_a_subject_and_a_body():
    with pytest.raises(ValidationFailed) as refused:
        _thread(subject=" ", body="\n\t")
    assert {e.field for e in refused.value.errors} == {"subject", "body"}
    with pytest.raises(ValidationFailed):
        _thread(body="x" * 10_001)
    assert _thread(author=Author.SYSTEM, author_user_id=None).kind is Kind.SYSTEM


@pytest.mark.req("MSG-01")
def test_only_contacts_and_the_scss_take_part():
    ensure_takes_part(Participant(uuid.uuid4(), contact=True, scss=False))
    assert Participant(uuid.uuid4(), contact=True, scss=True).author is Author.SCSS
    with pytest.raises(NotFound):
        ensure_takes_part(Participant(uuid.uuid4(), contact=False, scss=False), thread=True)


def test_notices_go_to_the_others_who_want_them_once_per_address():
    author, a, b, c = (uuid.uuid4() for _ in range(4))
    recipients = [Recipient(author, "me@example.com", True), Recipient(a, "A@example.com", True),
                  Recipient(b, "a@example.com", True), Recipient(c, "c@example.com", False)]
    sent = notices(recipients, author_user_id=author, thread_subject="Seal audit", company_name="Acme",
                   link="https://portal.example/messages/1", system=False)
    assert [n.recipient for n in sent] == ["A@example.com"]
    assert "Acme" in sent[0].body and "https://portal.example/messages/1" in sent[0].body
