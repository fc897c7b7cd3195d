"""DOC-08: each user tags documents with their own tags, several per document, and filters by any combination;
one user's tags are invisible to others."""

from __future__ import annotations

import pytest


async def _page(client, who, model_id, *tags, **params) -> dict:
    response = await client.get("/libraries/partner/documents", headers=who.headers, params={
        "security_model_id": str(model_id), "tag": list(tags), **params})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.req("DOC-08")
async def test_several_tags_per_document_filter_in_any_combination(client, scene, upload):
    company = await scene.company()
    officer = company.officer
    ids = {}
    for title in ("Seal log", "Seal policy", "Guard roster", "Badge audit"):
        ids[title] = (await upload(officer, model_id=company.model_id, title=title))["id"]
    for title, tags in (("Seal log", ["Seals", "2026"]), ("Seal policy", ["Seals", "Policies"]),
                        ("Guard roster", ["2026", "People"]), ("Badge audit", ["People", "2026", "Audit"])):
        response = await client.put(f"/documents/{ids[title]}/tags", headers=officer.headers, json={"tags": tags})
        assert response.status_code == 200, response.text

    async def titles(*tags) -> set[str]:
        return {d["title"] for d in (await _page(client, officer, company.model_id, *tags))["items"]}

    assert await titles("Seals") == {"Seal log", "Seal policy"}
    assert await titles("2026") == {"Seal log", "Guard roster", "Badge audit"}
    assert await titles("2026", "People") == {"Guard roster", "Badge audit"}
    assert await titles("2026", "People", "Audit") == {"Badge audit"}
    assert await titles("Seals", "People") == set()
    assert await titles() == set(ids)
    # Combined with the other filters, and counted.
    page = await _page(client, officer, company.model_id, "2026", title="roster")
    assert [d["title"] for d in page["items"]] == ["Guard roster"] and page["total"] == 1
    assert {d["title"]: d["tags"] for d in (await _page(client, officer, company.model_id, "Audit"))["items"]} == {
        "Badge audit": ["2026", "Audit", "People"]}
    counts = {t["tag"]: t["documents"] for t in (await client.get("/tags", headers=officer.headers)).json()}
    assert counts == {"2026": 3, "Audit": 1, "People": 2, "Policies": 1, "Seals": 2}


@pytest.mark.req("DOC-08")
async def test_one_users_tags_are_invisible_to_another(client, scene, upload):
    company = await scene.company()
    colleague = await scene.add_contact(company)
    made = await upload(company.officer, model_id=company.model_id, title="Seal log")
    await client.put(f"/documents/{made['id']}/tags", headers=company.officer.headers,
                     json={"tags": ["Seals", "Private note"]})
    await client.put(f"/documents/{made['id']}/tags", headers=colleague.headers, json={"tags": ["Sellos"]})
    # The same document, each with their own classification.
    mine = (await client.get(f"/documents/{made['id']}", headers=company.officer.headers)).json()
    theirs = (await client.get(f"/documents/{made['id']}", headers=colleague.headers)).json()
    assert mine["tags"] == ["Private note", "Seals"] and theirs["tags"] == ["Sellos"]
    # Filtering by another's tag finds nothing; listing shows only one's own; their tag list is theirs.
    assert (await _page(client, colleague, company.model_id, "Seals"))["items"] == []
    assert [d["tags"] for d in (await _page(client, colleague, company.model_id))["items"]] == [["Sellos"]]
    assert [t["tag"] for t in (await client.get("/tags", headers=colleague.headers)).json()] == ["Sellos"]
    # Replacing one's own tags never touches another's.
    await client.put(f"/documents/{made['id']}/tags", headers=colleague.headers, json={"tags": []})
    assert (await client.get(f"/documents/{made['id']}", headers=company.officer.headers)).json()["tags"] == [
        "Private note", "Seals"]


@pytest.mark.req("DOC-08")
async def test_tags_are_cleaned_and_case_joins_an_existing_tag(client, scene, upload, fingerprint):
    company = await scene.company()
    officer = company.officer
    first = await upload(officer, model_id=company.model_id, title="One")
    second = await upload(officer, model_id=company.model_id, title="Two")
    await client.put(f"/documents/{first['id']}/tags", headers=officer.headers, json={"tags": ["ISO 28000"]})
    tagged = await client.put(f"/documents/{second['id']}/tags", headers=officer.headers,
                              json={"tags": ["  iso   28000 ", "ISO 28000", "封条 🚚"]})
    assert tagged.json()["tags"] == ["ISO 28000", "封条 🚚"]
    assert len((await _page(client, officer, company.model_id, "ISO 28000"))["items"]) == 2
    before = await fingerprint()
    for bad in (["a\u0000b"], ["x" * 41], [""], [f"t{i}" for i in range(21)]):
        refused = await client.put(f"/documents/{second['id']}/tags", headers=officer.headers, json={"tags": bad})
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"].startswith("tags"), bad
    assert await fingerprint() == before


async def test_listing_pages_and_sorts(client, scene, upload):
    company = await scene.company()
    for title in ("b", "C", "a"):
        await upload(company.officer, model_id=company.model_id, title=title)
    page = await _page(client, company.officer, company.model_id, sort="title", limit=2)
    assert [d["title"] for d in page["items"]] == ["a", "b"] and page["total"] == 3
    page = await _page(client, company.officer, company.model_id, sort="title", limit=2, offset=2)
    assert [d["title"] for d in page["items"]] == ["C"]
    newest = await _page(client, company.officer, company.model_id)
    assert [d["title"] for d in newest["items"]] == ["a", "C", "b"]
    bad = await client.get("/libraries/partner/documents", headers=company.officer.headers,
                           params={"security_model_id": str(company.model_id), "sort": "drop table"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith("sort")


async def test_saves_at_once_of_one_documents_tags_all_succeed(client, scene, upload):
    import asyncio

    company = await scene.company()
    made = await upload(company.officer, model_id=company.model_id)
    sets = [["Seals"], ["Seals", "2026"], ["2026"], ["Audit", "Seals"]] * 2
    responses = await asyncio.gather(*(client.put(f"/documents/{made['id']}/tags", headers=company.officer.headers,
                                                  json={"tags": tags}) for tags in sets))
    assert [r.status_code for r in responses] == [200] * len(sets)
    final = (await client.get(f"/documents/{made['id']}", headers=company.officer.headers)).json()["tags"]
    assert final in [sorted(t, key=str.casefold) for t in sets]


async def test_retitles_at_once_each_make_one_version_or_are_refused(client, scene, upload):
    import asyncio

    company = await scene.company()
    made = await upload(company.officer, model_id=company.model_id, title="Start")
    responses = await asyncio.gather(*(client.patch(f"/documents/{made['id']}", headers=company.officer.headers,
                                                    json={"title": f"Title {i}", "version": made["version"]})
                                       for i in range(6)))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 5
    document = (await client.get(f"/documents/{made['id']}", headers=company.officer.headers)).json()
    assert len(document["versions"]) == 2


@pytest.mark.req("DOC-08")
async def test_a_removed_document_leaves_every_count_and_filter(client, scene, upload):
    company = await scene.company()
    kept = await upload(company.officer, model_id=company.model_id, title="Kept")
    gone = await upload(company.officer, model_id=company.model_id, title="Gone")
    for made in (kept, gone):
        await client.put(f"/documents/{made['id']}/tags", headers=company.officer.headers,
                         json={"tags": ["Seals", "2026"]})
    assert (await client.delete(f"/documents/{gone['id']}", headers=company.officer.headers)).status_code == 204
    page = await _page(client, company.officer, company.model_id, "Seals", "2026")
    assert [d["title"] for d in page["items"]] == ["Kept"] and page["total"] == 1
    page = await _page(client, company.officer, company.model_id, "Seals", "2026", limit=1, offset=1)
    assert page["items"] == [] and page["total"] == 1
    counts = {t["tag"]: t["documents"] for t in (await client.get("/tags", headers=company.officer.headers)).json()}
    assert counts == {"2026": 1, "Seals": 1}
