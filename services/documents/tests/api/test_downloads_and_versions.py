"""DOC-06: downloads through short-lived links, straight from object storage. DOC-07: a changed title or file
keeps the previous version in the archive, listed and downloadable."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest


def _fetch(url: str) -> httpx.Response:
    with httpx.Client(timeout=30) as plain:
        return plain.get(url)


@pytest.mark.req("DOC-06")
async def test_a_download_is_a_short_lived_link_to_the_bytes_in_object_storage(client, scene, upload, files,
                                                                                settings, session_clock):
    company = await scene.company()
    data = files.pdf("download me")
    made = await upload(company.officer, model_id=company.model_id, data=data, file_name="Seal log «2026».pdf")
    link = (await client.get(f"/documents/{made['id']}/download", headers=company.officer.headers)).json()
    # The link points at the store, not the service, and lives minutes, not days.
    url = urlsplit(link["url"])
    assert url.netloc == settings.s3_endpoint and url.path.startswith(f"/{settings.s3_bucket}/documents/")
    assert int(parse_qs(url.query)["X-Amz-Expires"][0]) == settings.download_link_seconds <= 300
    expires = dt.datetime.fromisoformat(link["expires_at"])
    assert dt.timedelta(0) < expires - session_clock.now() <= dt.timedelta(seconds=settings.download_link_seconds)
    fetched = _fetch(link["url"])
    assert fetched.status_code == 200 and hashlib.sha256(fetched.content).hexdigest() == link["sha256"]
    assert fetched.content == data
    # Served as what its bytes are, as an attachment: never rendered as a page from the store's origin.
    assert fetched.headers["content-type"] == "application/pdf"
    assert fetched.headers["content-disposition"].startswith("attachment;")
    assert link["file_name"] == "Seal log «2026».pdf"
    # A link tampered with (another key, a longer life) is refused by the store.
    assert _fetch(link["url"].replace("X-Amz-Expires=300", "X-Amz-Expires=86400")).status_code == 403


@pytest.mark.req("DOC-06")
async def test_no_link_is_issued_for_a_document_you_may_not_read(client, scene, upload):
    company, other = await scene.company(), await scene.company()
    made = await upload(company.officer, model_id=company.model_id)
    for who in (other.officer, company.bystander, other.scss, scene.admin()):
        response = await client.get(f"/documents/{made['id']}/download", headers=who.headers)
        assert response.status_code == 404 and "url" not in response.text
    assert (await client.get(f"/documents/{made['id']}/download")).status_code == 401


@pytest.mark.req("DOC-07")
async def test_a_new_title_keeps_the_old_version_in_the_archive(client, scene, upload, outbox):
    company = await scene.company()
    made = await upload(company.officer, model_id=company.model_id, title="Seal procedure v1",
                        uploaded_for_kind="security_profile_criterion", criterion_id="4.2")
    changed = await client.patch(f"/documents/{made['id']}", headers=company.officer.headers,
                                 json={"title": "Seal procedure (2026 revision)", "version": made["version"]})
    assert changed.status_code == 200, changed.text
    document = changed.json()
    assert document["title"] == "Seal procedure (2026 revision)"
    assert [(v["number"], v["title"], v["change"]) for v in document["versions"]] == [
        (1, "Seal procedure v1", "uploaded"), (2, "Seal procedure (2026 revision)", "title")]
    # The same file under both titles; both versions download.
    assert document["versions"][0]["sha256"] == document["versions"][1]["sha256"]
    old = (await client.get(f"/documents/{made['id']}/download", headers=company.officer.headers,
                            params={"version": 1})).json()
    assert old["version"] == 1 and _fetch(old["url"]).status_code == 200
    # ctpat keeps its evidence mark, now with the new title (same document, a new version).
    events = await outbox(made["id"])
    assert [t for t, _ in events] == ["DocumentUploaded.v1", "DocumentUploaded.v1"]
    assert events[-1][1]["title"] == "Seal procedure (2026 revision)" and events[-1][1]["file_version"] == 2
    assert events[-1][1]["uploaded_for"]["criterion_id"] == "4.2"
    # Saving the same title again is no new version; an edit from a stale page is refused, changing nothing.
    same = await client.patch(f"/documents/{made['id']}", headers=company.officer.headers,
                              json={"title": "Seal procedure (2026 revision)"})
    assert len(same.json()["versions"]) == 2
    stale = await client.patch(f"/documents/{made['id']}", headers=company.officer.headers,
                               json={"title": "Lost edit", "version": made["version"]})
    assert stale.status_code == 409
    assert len((await client.get(f"/documents/{made['id']}", headers=company.officer.headers)).json()["versions"]) == 2


@pytest.mark.req("DOC-07")
async def test_a_new_file_keeps_the_previous_file_downloadable(client, scene, upload, files, runtime):
    company = await scene.company()
    first, second = files.pdf("first"), files.pdf("second")
    made = await upload(company.officer, model_id=company.model_id, data=first)
    replaced = await client.post(f"/documents/{made['id']}/file", headers=company.officer.headers,
                                 files={"file": ("procedure.pdf", io.BytesIO(second), "application/pdf")})
    assert replaced.status_code == 200, replaced.text
    versions = replaced.json()["versions"]
    assert [(v["number"], v["change"]) for v in versions] == [(1, "uploaded"), (2, "file")]
    for number, data in ((1, first), (2, second)):
        link = (await client.get(f"/documents/{made['id']}/download", headers=company.officer.headers,
                                 params={"version": number})).json()
        assert _fetch(link["url"]).content == data
    missing = await client.get(f"/documents/{made['id']}/download", headers=company.officer.headers,
                               params={"version": 3})
    assert missing.status_code == 404
    # The archive is appended to, never rewritten, whoever asks the database.
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    with pytest.raises(DBAPIError, match="append-only"):
        async with runtime.database.transaction() as session:
            await session.execute(text("update document_versions set title = 'forged' where document_id = :id"),
                                  {"id": made["id"]})


@pytest.mark.req("DOC-07")
async def test_a_new_file_straight_to_storage_is_a_new_version_too(client, scene, upload, files):
    company = await scene.company()
    made = await upload(company.officer, model_id=company.model_id, title="Training log")
    data = files.pdf("second file")
    started = await client.post(f"/documents/{made['id']}/uploads", headers=company.officer.headers, json={
        "file_name": "training.pdf", "size_bytes": len(data), "sha256": files.sha256(data),
        "title": "Training log 2026"})
    assert started.status_code == 201, started.text
    form = started.json()
    with httpx.Client(timeout=30) as s3:
        assert s3.post(form["url"], data=form["fields"], files={"file": ("t.pdf", data)}).status_code < 300
    done = await client.post(f"/uploads/{form['upload_id']}/complete", headers=company.officer.headers)
    assert done.status_code == 201, done.text
    assert [(v["number"], v["title"], v["change"]) for v in done.json()["versions"]] == [
        (1, "Training log", "uploaded"), (2, "Training log 2026", "file")]


async def test_a_removed_document_leaves_its_library_and_ctpat_hears_of_it(client, scene, upload, outbox, fingerprint):
    company = await scene.company()
    made = await upload(company.officer, model_id=company.model_id)
    removed = await client.delete(f"/documents/{made['id']}", headers=company.officer.headers)
    assert removed.status_code == 204
    assert (await client.get(f"/documents/{made['id']}", headers=company.officer.headers)).status_code == 404
    assert (await client.get(f"/documents/{made['id']}/download", headers=company.officer.headers)).status_code == 404
    events = await outbox(made["id"])
    assert events[-1][0] == "DocumentRemoved.v1" and events[-1][1]["removed_by"] == str(company.officer.user_id)
    before = await fingerprint()
    assert (await client.delete(f"/documents/{made['id']}", headers=company.officer.headers)).status_code == 404
    assert await fingerprint() == before
