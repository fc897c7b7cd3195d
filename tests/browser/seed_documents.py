"""What the Document Library and Messages tests stand on, made through the API: documents in a library."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.browser.seed import Seed, User

# Bytes documents accepts (plain text is told from its bytes), and bytes it refuses (a Windows executable).
TEXT = "text/plain"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 240


def upload(seed: Seed, user: User, library: str, title: str, *, model_id: str | None = None,
           content: bytes | None = None, file_name: str = "document.txt", document_type: str = "other") -> dict:
    """One document in a library, uploaded through the service as `user`."""
    data = {"document_type": document_type, "title": title}
    if model_id:
        data["security_model_id"] = model_id
    body = content if content is not None else f"{title}\n".encode()
    return seed.call("POST", f"/api/documents/libraries/{library}/documents", user, data=data,
                     files={"file": (file_name, body, TEXT)})


def staff_at_once(seed: Seed, *roles: str) -> dict[str, User]:
    """CBP staff, one per role, made side by side (each is a `python -m identity` run, seconds apiece)."""
    with ThreadPoolExecutor(max_workers=len(roles)) as pool:
        return dict(zip(roles, pool.map(seed.staff, roles), strict=True))
