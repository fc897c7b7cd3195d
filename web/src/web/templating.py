"""The Jinja2 environment every page renders with: autoescaped, with the portal's few filters."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import StrictUndefined

# Words the API spells as identifiers, said as people say them.
_WORDS = {
    "scss": "SCSS", "poc": "POC", "svi": "SVI", "ctpat": "C-TPAT", "id": "ID", "pdf": "PDF",
    "us": "U.S.", "mso": "MSO", "aeo": "AEO",
}


def label(value: Any) -> str:
    """`company_administrator` -> `Company administrator`; `poc_office` -> `POC office`."""
    if value is None:
        return ""
    words = str(value).replace("-", " ").replace("_", " ").split()
    said = [_WORDS.get(w.lower(), w) for w in words]
    if said and said[0] == words[0]:
        said[0] = said[0][:1].upper() + said[0][1:]
    return " ".join(said)


def when(value: Any, with_time: bool = False) -> str:
    """ISO dates and times from the API as `Nov 29, 2026` (and `14:05 UTC`)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(str(value)), datetime.min.time())
        except ValueError:
            return str(value)
    text = moment.strftime("%b %d, %Y")
    if with_time:
        text += moment.strftime(" %H:%M UTC")
    return text


def build_templates(folder: Path) -> Jinja2Templates:
    templates = Jinja2Templates(directory=folder)
    env = templates.env
    env.undefined = StrictUndefined  # a misspelt name fails the page's test, not silently blank
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters["label"] = label
    env.filters["when"] = when
    return templates
