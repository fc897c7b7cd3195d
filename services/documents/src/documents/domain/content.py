"""What a file is, decided from its bytes (DOC-05): never from its name or the type a client declares.

The allow-list is what evidence for the Minimum Security Criteria is kept as: PDF, office documents, images and
plain text (CSV included). A file is recognised by its magic numbers (the `filetype` library); a file with
none is plain text only if its first bytes decode as UTF-8 with no control characters but tab, CR, LF and FF.
Executables, archives, HTML disguised with a .pdf name: all refused.
"""

from __future__ import annotations

import filetype

from servicekit.errors import FieldError, PortalError

SNIFF_BYTES = 8192  # what the checks read of a file: the first 8 KiB
# DOC-05: the largest file any library keeps (a deployment may set a lower limit, never a higher one).
MAX_UPLOAD_BYTES = 25 * 1024 * 1024

ALLOWED_CONTENT_TYPES: dict[str, str] = {
    "application/pdf": "PDF",
    "application/msword": "Word 97-2003",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel 97-2003",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.ms-powerpoint": "PowerPoint 97-2003",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
    "image/tiff": "TIFF image",
    "text/plain": "plain text",
    "text/csv": "CSV",
}

_TEXT_CONTROLS_ALLOWED = {9, 10, 12, 13}
_ACCEPTED_MATCHERS = [matcher for matcher in filetype.types if matcher.mime in ALLOWED_CONTENT_TYPES]


class TooLarge(PortalError):
    status = 413
    slug = "too-large"
    title = "The file is too large"


class UnsupportedContent(PortalError):
    status = 415
    slug = "unsupported-content-type"
    title = "This kind of file is not accepted"


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    # The sample may end in the middle of a multi-byte character: drop up to 3 trailing bytes before judging.
    for cut in range(4):
        try:
            text = head[: len(head) - cut].decode("utf-8")
            break
        except UnicodeDecodeError:
            continue
    else:
        return False
    return not any(ord(ch) < 32 and ord(ch) not in _TEXT_CONTROLS_ALLOWED or ord(ch) == 127 for ch in text)


def sniff(head: bytes, declared: str | None = None) -> str:
    """The content type of a file whose first bytes are `head`; refuses (415, naming "file") what is not allowed.

    `declared` only tells CSV from plain text, which no magic number can.
    """
    # The accepted kinds' matchers first (a tenth of filetype's list, in its order: an office file before a zip);
    # the whole list only to name what a refused file is.
    kind = (filetype.match(head, _ACCEPTED_MATCHERS) or filetype.guess(head)) if head else None
    if kind is not None:
        if kind.mime in ALLOWED_CONTENT_TYPES:
            return kind.mime
        raise UnsupportedContent(
            f"The file is {kind.mime} (read from its bytes); accepted: {accepted()}.",
            [FieldError("file", f"is {kind.mime}, which is not accepted")])
    if _looks_like_text(head):
        return "text/csv" if (declared or "").split(";")[0].strip().lower() == "text/csv" else "text/plain"
    reason = "is empty" if not head else "is of no accepted kind (read from its bytes)"
    raise UnsupportedContent(f"The file {reason}; accepted: {accepted()}.", [FieldError("file", reason)])


def accepted() -> str:
    return ", ".join(sorted(set(ALLOWED_CONTENT_TYPES.values())))


def ensure_size(size: int, limit: int) -> None:
    if size > limit:
        raise TooLarge(f"The file is {size:,} bytes; the limit is {limit:,} bytes.",
                       [FieldError("file", f"is {size:,} bytes; the limit is {limit:,}")])
    if size <= 0:
        raise UnsupportedContent("The file is empty.", [FieldError("file", "is empty")])
