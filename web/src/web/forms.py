"""A form shown again after the API refused it: what was typed, and why each field was refused.

Inputs are named as the API names its fields (dotted for nested ones:
`security_questions.0.answer`), so the problem document's `errors` land next
to the field they name with no mapping table; an error for a field the form
does not show goes to the summary at the top.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web.portal_api import ApiProblem


@dataclass
class FormState:
    values: dict[str, Any] = field(default_factory=dict)
    problem: ApiProblem | None = None
    # Errors the web client finds itself (a confirmation that does not match).
    local_errors: dict[str, str] = field(default_factory=dict)
    # Tells apart the inputs of two forms on one page that share a field name (both
    # ask for `current_password`): element ids must be unique for labels to work.
    id_prefix: str = ""

    @property
    def errors(self) -> dict[str, str]:
        return {**(self.problem.errors if self.problem else {}), **self.local_errors}

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    def value(self, name: str, default: Any = "") -> Any:
        value = self.values.get(name)
        return default if value is None else value

    @property
    def failed(self) -> bool:
        return self.problem is not None or bool(self.local_errors)


def as_int(value: Any) -> Any:
    """A number typed into a form, as a number; anything else as typed, for the API to refuse by name."""
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.lstrip("-").isdigit() and len(text) < 19:
            return int(text)
    return value

