"""DOC-08: each user's own tags on documents, several per document; nobody else ever sees them.

Tags are folders that overlap: a document carries as many as its user likes, and a list filtered by several
shows the documents that carry all of them. A tag is kept as typed (one space between words); two tags that
differ only in case are one tag.
"""

from __future__ import annotations

from servicekit.errors import FieldErrors

TAG_MAX = 40
TAGS_PER_DOCUMENT = 20


def clean_tags(tags: list[str], errors: FieldErrors, field_name: str = "tags") -> list[str]:
    kept: dict[str, str] = {}
    for i, tag in enumerate(tags):
        cleaned = " ".join(tag.split())
        if not cleaned:
            errors.add(f"{field_name}[{i}]", "is empty")
        elif len(cleaned) > TAG_MAX:
            errors.add(f"{field_name}[{i}]", f"is longer than {TAG_MAX} characters")
        elif any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
            errors.add(f"{field_name}[{i}]", "contains control characters")
        else:
            kept.setdefault(cleaned.casefold(), cleaned)
    if len(kept) > TAGS_PER_DOCUMENT:
        errors.add(field_name, f"at most {TAGS_PER_DOCUMENT} tags per document")
    return sorted(kept.values(), key=str.casefold)
