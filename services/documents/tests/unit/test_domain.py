"""The pure domain: what a file is from its bytes, a document's versions, tags (no database, no storage)."""

from __future__ import annotations

import uuid
import zipfile
from datetime import UTC, datetime
from io import BytesIO

import pytest
from documents.domain.content import TooLarge, UnsupportedContent, ensure_size, sniff
from documents.domain.document import Change, Document, StoredFile
from documents.domain.library import Caller, Library, ensure_may_read_library, ensure_may_write
from documents.domain.tags import clean_tags

from servicekit.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def _docx() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.req("DOC-05")
@pytest.mark.parametrize(("head", "declared", "kind"), [
    (b"%PDF-1.7\n...", "application/octet-stream", "application/pdf"),
    (bytes.fromhex("89504e470d0a1a0a") + b"\x00" * 16, None, "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/png", "image/jpeg"),
    ("name,seal\nA,123 ✓\n".encode(), "text/csv", "text/csv"),
    ("plain words, 封条\n".encode(), "application/pdf", "text/plain"),
    ("é".encode() * 4095 + "é".encode()[:1], None, "text/plain"),  # a sample cut in the middle of a character
])
def test_kinds_accepted_are_read_from_the_bytes(head, declared, kind):
    assert sniff(head, declared) == kind


def test_office_documents_are_recognised_by_their_contents():
    assert sniff(_docx()) == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.req("DOC-05")
@pytest.mark.parametrize("head", [
    b"MZ\x90\x00" + b"\x00" * 60,  # a Windows executable
    b"\x7fELF\x02\x01\x01" + b"\x00" * 60,  # a Linux one
    b"PK\x03\x04" + b"\x00" * 60,  # a zip that is no office document
    b"text with a \x00 NUL",
    b"",
])
def test_kinds_refused_name_the_file(head):
    with pytest.raises(UnsupportedContent) as refused:
        sniff(head, "application/pdf")
    assert refused.value.status == 415 and refused.value.errors[0].field == "file"


def test_size_limits():
    ensure_size(10, 10)
    with pytest.raises(TooLarge):
        ensure_size(11, 10)
    with pytest.raises(UnsupportedContent):
        ensure_size(0, 10)


def _file(name: str = "a") -> StoredFile:
    return StoredFile(f"documents/{name}", "application/pdf", 10, "0" * 64)


@pytest.mark.req("DOC-07")
def test_title_and_file_changes_append_versions_and_record_events():
    by = uuid.uuid4()
    document = Document.upload(document_id=uuid.uuid4(), library=Library.PARTNER, security_model_id=uuid.uuid4(),
                               document_type="other", uploaded_for=None, title="One", file=_file(), by=by, now=NOW)
    assert document.retitle("Two", by, NOW) and not document.retitle(" Two ", by, NOW)
    document.replace_file(_file("b"), by, NOW)
    assert [(v.number, v.title, v.change, v.file.object_key) for v in document.versions] == [
        (1, "One", Change.UPLOADED, "documents/a"), (2, "Two", Change.TITLE, "documents/a"),
        (3, "Two", Change.FILE, "documents/b")]
    assert [e.file_version for e in document.pull_events()] == [1, 2, 3] and document.version == 3
    document.remove(by, NOW)
    with pytest.raises(Conflict):
        document.retitle("Three", by, NOW)


def test_placement_rules_name_each_field():
    with pytest.raises(ValidationFailed) as refused:
        Document.upload(document_id=uuid.uuid4(), library=Library.TRADE_PUBLIC, security_model_id=uuid.uuid4(),
                        document_type="nope", uploaded_for=None, title="", file=_file(), by=uuid.uuid4(), now=NOW)
    assert {e.field for e in refused.value.errors} == {"title", "document_type", "security_model_id"}


def _caller(**facts) -> Caller:
    base = {"user_id": uuid.uuid4(), "roles": frozenset(), "trade_user": False, "contact_anywhere": False,
            "contact_of": frozenset(), "scss_of": frozenset()}
    return Caller(**{**base, **facts})


@pytest.mark.req("DOC-03")
def test_who_reaches_which_library():
    model = uuid.uuid4()
    contact = _caller(trade_user=True, contact_anywhere=True, contact_of=frozenset({model}))
    scss = _caller(roles=frozenset({"scss"}), scss_of=frozenset({model}))
    admin = _caller(roles=frozenset({"admin"}))
    for who in (contact, scss):
        ensure_may_read_library(who, Library.PARTNER, model)
        ensure_may_write(who, Library.PARTNER, model)
    with pytest.raises(NotFound):
        ensure_may_read_library(admin, Library.PARTNER, model)
    with pytest.raises(Forbidden):
        ensure_may_write(contact, Library.CTPAT_PUBLIC, None)
    ensure_may_write(admin, Library.TRADE_PUBLIC, None)
    with pytest.raises(Forbidden):
        ensure_may_read_library(_caller(trade_user=True), Library.CTPAT_PUBLIC, None)


def test_tags_are_trimmed_deduplicated_by_case_and_bounded():
    errors = FieldErrors()
    assert clean_tags(["  Seals ", "seals", "2026"], errors) == ["2026", "Seals"] and not errors
    clean_tags(["ok", "bad\x01"], errors)
    assert [e.field for e in errors] == ["tags[1]"]
