"""The C-TPAT catalogues as versioned data: business types, entity identifiers, Minimum Security Criteria.

Each version is a folder `versions/<n>/` of two TOML files, read once per
process. A published version never changes (its checksum is in
`versions/published.toml`, and a test holds every folder to it): a catalogue
change is a new folder, and a Security Profile keeps the version it was
answered against (CT-08).

Loading checks the catalogue's own rules (numbering, sub-type questions,
examples matching their formats, codes that exist), so a broken version fails
at start-up, never halfway through an application.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from servicekit.errors import FieldErrors

VERSIONS_DIR = Path(__file__).parent / "versions"
ALL_TYPES = "*"


class CatalogueError(ValueError):
    """A catalogue version breaks the catalogue's own rules."""


# --- business entity identifiers (CT-02) --------------------------------------------------


@dataclass(frozen=True)
class IdentifierFormat:
    label: str
    pattern: re.Pattern[str]
    example: str


@dataclass(frozen=True)
class IdentifierKind:
    code: str
    name: str
    scss_only_after_entry: bool  # IOR, SCAC, MID: once entered, only the SCSS adds, changes or removes them
    formats: tuple[IdentifierFormat, ...]

    @staticmethod
    def normalise(value: str) -> str:
        return value.strip().upper()

    def problem(self, value: str) -> str | None:
        """Why `value` is not one of this kind (None when it is), naming the formats it may take."""
        normalised = self.normalise(value)
        if any(f.pattern.fullmatch(normalised) for f in self.formats):
            return None
        shapes = "; ".join(f"{f.label} (e.g. {f.example})" for f in self.formats)
        return f"is not a valid {self.name}: expected {shapes}"


# --- business types and eligibility (CT-01) -------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    sub_type: str | None = None
    ineligible: str | None = None  # why this answer makes the company ineligible


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    choices: tuple[Choice, ...]

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)


@dataclass(frozen=True)
class SubType:
    code: str
    name: str


@dataclass(frozen=True)
class Eligibility:
    """What the answers decided: the exact sub-type, or why the company may not apply as this type."""

    sub_type: str | None
    reasons: tuple[str, ...] = ()

    @property
    def eligible(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class BusinessType:
    code: str
    name: str
    description: str
    validated_tiers: bool  # Tier II / Tier III validations exist for this type (importers)
    identifiers: tuple[str, ...]  # required: at least one value of each
    optional_identifiers: tuple[str, ...]
    sub_types: tuple[SubType, ...]
    questions: tuple[Question, ...]

    @property
    def identifier_codes(self) -> tuple[str, ...]:
        return self.identifiers + self.optional_identifiers

    def assess(self, answers: Mapping[str, str], *, field: str = "eligibility_answers") -> Eligibility:
        """CT-01: every question answered with one of its choices (else a 422 naming each), then the verdict."""
        errors = FieldErrors()
        known = {q.id for q in self.questions}
        for question_id in answers:
            if question_id not in known:
                errors.add(f"{field}.{question_id}", f"is not a question for {self.name}")
        chosen: list[Choice] = []
        for question in self.questions:
            value = answers.get(question.id)
            choice = question.choice(value) if isinstance(value, str) else None
            if value is None:
                errors.add(f"{field}.{question.id}", "must be answered")
            elif choice is None:
                allowed = ", ".join(c.value for c in question.choices)
                errors.add(f"{field}.{question.id}", f"must be one of: {allowed}")
            else:
                chosen.append(choice)
        errors.raise_if_any()
        reasons = tuple(c.ineligible for c in chosen if c.ineligible)
        sub_type = next((c.sub_type for c in chosen if c.sub_type), None)
        if sub_type is None and len(self.sub_types) == 1:
            sub_type = self.sub_types[0].code
        return Eligibility(None if reasons else sub_type, reasons)


# --- the Minimum Security Criteria (CT-08, CT-09) ---------------------------------------------


@dataclass(frozen=True)
class FocusArea:
    code: str
    name: str
    categories: tuple[int, ...]


@dataclass(frozen=True)
class Category:
    number: int
    name: str
    focus_area: str


@dataclass(frozen=True)
class Criterion:
    id: str  # "<category>.<n>"
    category: int
    level: str  # "must" | "should"
    evidence: bool  # a response needs at least one uploaded document
    applies_to: frozenset[str] | None  # None: every business type
    statement: str

    def applies(self, business_type: str) -> bool:
        return self.applies_to is None or business_type in self.applies_to


@dataclass(frozen=True)
class Catalogue:
    version: int
    published: date
    checksum: str
    identifier_kinds: Mapping[str, IdentifierKind]
    business_types: Mapping[str, BusinessType]
    focus_areas: tuple[FocusArea, ...]
    categories: Mapping[int, Category]
    criteria: tuple[Criterion, ...]
    _by_id: Mapping[str, Criterion] = field(repr=False, compare=False, default_factory=dict)

    def business_type(self, code: str) -> BusinessType | None:
        return self.business_types.get(code)

    def criterion(self, criterion_id: str) -> Criterion | None:
        return self._by_id.get(criterion_id)

    def criteria_for(self, business_types: Iterable[str]) -> tuple[Criterion, ...]:
        """CT-09: the criteria a model of these types answers, each once, in catalogue order."""
        types = tuple(business_types)
        return tuple(c for c in self.criteria if any(c.applies(t) for t in types))

    def common_and_unique(
        self, business_types: Iterable[str]
    ) -> tuple[tuple[Criterion, ...], dict[str, tuple[Criterion, ...]]]:
        """CT-09: the criteria every one of the types shares, and for each type those only it brings."""
        types = tuple(business_types)
        common = tuple(c for c in self.criteria if all(c.applies(t) for t in types))
        unique = {
            t: tuple(c for c in self.criteria if c.applies(t) and not all(c.applies(o) for o in types))
            for t in types
        }
        return common, unique


# --- loading ---------------------------------------------------------------------------------


def _checksum(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in ("business_types.toml", "criteria.toml"):
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes() + b"\0")
    return digest.hexdigest()


def _identifier_kinds(raw: list[dict]) -> dict[str, IdentifierKind]:
    kinds = {}
    for item in raw:
        formats = tuple(
            IdentifierFormat(f["label"], re.compile(f["pattern"]), f["example"]) for f in item["formats"]
        )
        kind = IdentifierKind(item["code"], item["name"], bool(item["scss_only_after_entry"]), formats)
        for f in formats:
            if kind.problem(f.example) is not None:
                raise CatalogueError(f"identifier {kind.code}: example {f.example!r} does not match its own format")
        if kind.code in kinds:
            raise CatalogueError(f"identifier {kind.code} is defined twice")
        kinds[kind.code] = kind
    return kinds


def _business_type(item: dict, kinds: Mapping[str, IdentifierKind]) -> BusinessType:
    code = item["code"]
    sub_types = tuple(SubType(s["code"], s["name"]) for s in item["sub_types"])
    questions = tuple(
        Question(q["id"], q["text"], tuple(
            Choice(c["value"], c["label"], c.get("sub_type"), c.get("ineligible")) for c in q["choices"]
        ))
        for q in item["questions"]
    )
    business_type = BusinessType(
        code, item["name"], item.get("description", ""), bool(item.get("validated_tiers", False)),
        tuple(item["identifiers"]), tuple(item.get("optional_identifiers", ())), sub_types, questions,
    )
    if not business_type.identifiers:
        raise CatalogueError(f"business type {code} requires no identifier")
    for identifier in business_type.identifier_codes:
        if identifier not in kinds:
            raise CatalogueError(f"business type {code} names unknown identifier {identifier}")
    if not sub_types:
        raise CatalogueError(f"business type {code} has no sub-type")
    sub_codes = {s.code for s in sub_types}
    deciding = [q for q in questions if any(c.sub_type for c in q.choices)]
    if len(sub_types) == 1 and deciding:
        raise CatalogueError(f"business type {code} has one sub-type but a question choosing one")
    if len(sub_types) > 1:
        if len(deciding) != 1:
            raise CatalogueError(f"business type {code} needs exactly one question choosing its sub-type")
        reachable = {c.sub_type for c in deciding[0].choices if c.sub_type}
        if reachable != sub_codes:
            raise CatalogueError(f"business type {code}: sub-types {sorted(sub_codes - reachable)} are unreachable")
        if any(not c.sub_type and not c.ineligible for c in deciding[0].choices):
            raise CatalogueError(f"business type {code}: an answer of {deciding[0].id} decides no sub-type")
    for question in questions:
        values = [c.value for c in question.choices]
        if len(values) < 2 or len(set(values)) != len(values):
            raise CatalogueError(f"question {question.id} needs two or more distinct choices")
        if all(c.ineligible for c in question.choices):
            raise CatalogueError(f"question {question.id} has no eligible answer")
        if any(c.sub_type and c.sub_type not in sub_codes for c in question.choices):
            raise CatalogueError(f"question {question.id} names a sub-type {code} does not have")
    return business_type


def _criteria(raw: list[dict], categories: Mapping[int, Category], types: Mapping[str, BusinessType]):
    criteria = []
    expected_n: dict[int, int] = {}
    for item in raw:
        category = int(item["category"])
        if category not in categories:
            raise CatalogueError(f"criterion {item['id']} names unknown category {category}")
        expected_n[category] = expected_n.get(category, 0) + 1
        if item["id"] != f"{category}.{expected_n[category]}":
            raise CatalogueError(f"criterion {item['id']} is out of order (expected {category}.{expected_n[category]})")
        if item["level"] not in ("must", "should"):
            raise CatalogueError(f"criterion {item['id']}: level must be must or should")
        applies = item["applies_to"]
        if applies == [ALL_TYPES]:
            applies_to = None
        else:
            unknown = set(applies) - set(types)
            if unknown or not applies:
                raise CatalogueError(f"criterion {item['id']} applies to unknown business types {sorted(unknown)}")
            applies_to = frozenset(applies)
        criteria.append(Criterion(item["id"], category, item["level"], bool(item["evidence"]), applies_to,
                                  item["statement"].strip()))
    for code in types:
        if not any(c.applies(code) for c in criteria):
            raise CatalogueError(f"business type {code} has no criteria")
    return tuple(criteria)


def load_version(version: int) -> Catalogue:
    folder = VERSIONS_DIR / str(version)
    with open(folder / "business_types.toml", "rb") as f:
        types_raw = tomllib.load(f)
    with open(folder / "criteria.toml", "rb") as f:
        criteria_raw = tomllib.load(f)
    for raw in (types_raw, criteria_raw):
        if raw.get("version") != version:
            raise CatalogueError(f"catalogue folder {version} says it is version {raw.get('version')}")
    kinds = _identifier_kinds(types_raw["identifiers"])
    types: dict[str, BusinessType] = {}
    for item in types_raw["business_types"]:
        business_type = _business_type(item, kinds)
        if business_type.code in types:
            raise CatalogueError(f"business type {business_type.code} is defined twice")
        types[business_type.code] = business_type
    question_ids = [q.id for t in types.values() for q in t.questions]
    if len(question_ids) != len(set(question_ids)):
        raise CatalogueError("question ids repeat across business types")
    categories = {int(c["number"]): Category(int(c["number"]), c["name"], c["focus_area"])
                  for c in criteria_raw["categories"]}
    focus_areas = tuple(FocusArea(f["code"], f["name"], tuple(f["categories"])) for f in criteria_raw["focus_areas"])
    if sorted(n for f in focus_areas for n in f.categories) != sorted(categories):
        raise CatalogueError("every category belongs to exactly one focus area")
    criteria = _criteria(criteria_raw["criteria"], categories, types)
    return Catalogue(
        version=version, published=criteria_raw["published"], checksum=_checksum(folder),
        identifier_kinds=kinds, business_types=types, focus_areas=focus_areas, categories=categories,
        criteria=criteria, _by_id={c.id: c for c in criteria},
    )


def published_checksums() -> dict[int, str]:
    """`versions/published.toml`: each published version's checksum, which must never change."""
    with open(VERSIONS_DIR / "published.toml", "rb") as f:
        return {int(v): c for v, c in tomllib.load(f)["checksums"].items()}


@cache
def catalogues() -> dict[int, Catalogue]:
    """Every published version, read once per process."""
    return {version: load_version(version) for version in sorted(published_checksums())}


def catalogue(version: int) -> Catalogue | None:
    return catalogues().get(version)


def current() -> Catalogue:
    """The version new applications and new criteria are answered against: the newest published."""
    versions = catalogues()
    return versions[max(versions)]
