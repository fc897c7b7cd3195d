"""The catalogues: versioned data held to its published checksum, and the rules read from it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ctpat import catalogue as catalogues
from ctpat.catalogue import CatalogueError, current, load_version, published_checksums

from servicekit.errors import ValidationFailed

EXPECTED_TYPES = {
    "importer", "exporter", "highway_carrier", "rail_carrier", "sea_carrier", "air_carrier", "customs_broker",
    "consolidator", "third_party_logistics", "marine_port_authority_terminal_operator", "foreign_manufacturer",
}
FOCUS_AREAS = {
    "corporate_security": ["Security Vision and Responsibility", "Risk Assessment", "Business Partners",
                           "Cybersecurity"],
    "transportation_security": ["Conveyance and Instruments of International Traffic Security", "Seal Security",
                                "Procedural Security", "Agricultural Security"],
    "people_physical_security": ["Physical Access Controls", "Physical Security", "Personnel Security",
                                 "Education, Training and Awareness"],
}


def test_every_published_version_is_exactly_what_was_published() -> None:
    # A catalogue change is a new version: editing a published folder breaks this test.
    for version, checksum in published_checksums().items():
        assert load_version(version).checksum == checksum, f"catalogue version {version} was edited"


def test_the_criteria_are_organised_as_cbp_organises_them() -> None:
    catalogue = current()
    names = {area.code: [catalogue.categories[n].name for n in area.categories] for area in catalogue.focus_areas}
    assert names == FOCUS_AREAS
    for criterion in catalogue.criteria:
        assert criterion.level in ("must", "should")
        assert criterion.id.split(".")[0] == str(criterion.category)


@pytest.mark.req("CT-08")
def test_every_business_type_has_a_realistic_profile_to_answer() -> None:
    catalogue = current()
    assert set(catalogue.business_types) == EXPECTED_TYPES
    for code in EXPECTED_TYPES:
        criteria = catalogue.criteria_for([code])
        assert 100 <= len(criteria) <= 160, code
        # Every focus area, and nearly every category (a broker runs no conveyances, so has no category 5).
        categories = {c.category for c in criteria}
        assert len(categories) >= 11, f"{code} answers only categories {sorted(categories)}"
        assert all(set(a.categories) & categories for a in catalogue.focus_areas), code
        assert any(c.evidence for c in criteria) and any(c.level == "should" for c in criteria)


@pytest.mark.req("CT-09")
def test_a_multi_type_model_answers_the_common_criteria_once_plus_each_types_unique_ones() -> None:
    catalogue = current()
    importer, carrier = catalogue.criteria_for(["importer"]), catalogue.criteria_for(["highway_carrier"])
    both = catalogue.criteria_for(["importer", "highway_carrier"])
    assert len({c.id for c in both}) == len(both)  # each criterion once
    assert {c.id for c in both} == {c.id for c in importer} | {c.id for c in carrier}
    common, unique = catalogue.common_and_unique(["importer", "highway_carrier"])
    assert {c.id for c in common} == {c.id for c in importer} & {c.id for c in carrier}
    assert {c.id for c in unique["highway_carrier"]} == {c.id for c in carrier} - {c.id for c in importer}
    assert unique["importer"] and unique["highway_carrier"]
    assert len(common) + len(unique["importer"]) + len(unique["highway_carrier"]) == len(both)


@pytest.mark.req("CT-01")
def test_eligibility_answers_decide_the_exact_sub_type() -> None:
    carrier = current().business_type("highway_carrier")
    deciding = next(q for q in carrier.questions if any(c.sub_type for c in q.choices))
    eligible = {q.id: next(c.value for c in q.choices if not c.ineligible) for q in carrier.questions}
    reached = set()
    for choice in deciding.choices:
        if choice.sub_type:
            reached.add(carrier.assess({**eligible, deciding.id: choice.value}).sub_type)
    assert reached == {"us_canada_highway_carrier", "us_mexico_highway_carrier", "mexican_long_haul_carrier"}


@pytest.mark.req("CT-01")
def test_an_ineligible_answer_set_is_refused_with_the_reason() -> None:
    for spec in current().business_types.values():
        eligible = {q.id: next(c.value for c in q.choices if not c.ineligible) for q in spec.questions}
        assert spec.assess(eligible).eligible, spec.code
        question = next(q for q in spec.questions if any(c.ineligible for c in q.choices))
        refusing = next(c for c in question.choices if c.ineligible)
        verdict = spec.assess({**eligible, question.id: refusing.value})
        assert not verdict.eligible and verdict.sub_type is None
        assert verdict.reasons == (refusing.ineligible,)


@pytest.mark.req("CT-01")
def test_unanswered_and_unknown_answers_are_named_field_by_field() -> None:
    importer = current().business_type("importer")
    first, *rest = importer.questions
    with pytest.raises(ValidationFailed) as refused:
        importer.assess({first.id: "perhaps", "made_up": "yes"})
    fields = {e.field: e.message for e in refused.value.errors}
    assert fields[f"eligibility_answers.{first.id}"].startswith("must be one of")
    assert fields["eligibility_answers.made_up"].startswith("is not a question")
    assert all(fields[f"eligibility_answers.{q.id}"] == "must be answered" for q in rest)


@pytest.mark.req("CT-02")
@pytest.mark.parametrize(("kind", "good", "bad"), [
    ("ior", ["12-3456789", "12-3456789AB", " 123-45-6789 ", "260101-12345"], ["123456789", "12-345678", "AB-1234567"]),
    ("scac", ["AB", "acmt", "ABCD"], ["A", "ABCDE", "AB1"]),
    ("mid", ["MXACMMAN1234MON", "CAXYZ12"], ["M1ACME", "MX", "MXAB"]),
    ("broker_license", ["12345"], ["1234", "123456", "1234A"]),
    ("filer_code", ["A1B", "123"], ["AB", "ABCD"]),
    ("usdot", ["1", "12345678"], ["123456789", "12A"]),
])
def test_each_identifier_is_checked_for_its_format(kind, good, bad) -> None:
    identifier = current().identifier_kinds[kind]
    for value in good:
        assert identifier.problem(value) is None, value
    for value in bad:
        assert identifier.problem(value) is not None, value


@pytest.mark.req("CT-02")
def test_only_ior_scac_and_mid_are_locked_to_the_scss_once_entered() -> None:
    locked = {k.code for k in current().identifier_kinds.values() if k.scss_only_after_entry}
    assert locked == {"ior", "scac", "mid"}


def _broken_copy(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "versions"
    shutil.copytree(catalogues.VERSIONS_DIR, folder)
    path = folder / "1" / "criteria.toml"
    path.write_text(edit(path.read_text()))
    return folder


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace('id = "1.2"', 'id = "1.7"', 1), "out of order"),
    (lambda t: t.replace('applies_to = ["*"]', 'applies_to = ["spaceport"]', 1), "unknown business types"),
    (lambda t: t.replace('level = "must"', 'level = "could"', 1), "level"),
])
def test_a_broken_version_fails_to_load_instead_of_failing_an_application(tmp_path, monkeypatch, edit, message):
    monkeypatch.setattr(catalogues, "VERSIONS_DIR", _broken_copy(tmp_path, edit))
    with pytest.raises(CatalogueError, match=message):
        load_version(1)
