"""Every list's pages and sort order, read from the address (`?page=2&sort=-name`).

Two kinds of list: those the API pages itself (`limit`/`offset`, with a
total), filled with `show(rows, total)`; and short ones the API returns
whole (a Trade Account's addresses), sorted and cut here with `arrange(rows)`.
Nonsense in the address (`page=abc`, an unknown sort) falls back to the
defaults rather than failing the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

MAX_PAGE_SIZE = 100


@dataclass
class Listing:
    path: str
    kept: dict[str, str]  # the address's other parameters (filters), carried to every link
    sorts: dict[str, Callable[[Any], Any]]
    sort_key: str
    ascending: bool
    page: int
    size: int
    rows: list[Any] = field(default_factory=list)
    total: int = 0
    default_size: int = 20

    @classmethod
    def read(
        cls,
        request: Request,
        sorts: dict[str, Callable[[Any], Any]],
        default_sort: str,
        size: int = 20,
        path: str | None = None,
    ) -> Listing:
        """`path`: the page the links go to, when it is not this request's (a list shown again
        under a refused form's POST address)."""
        query = request.query_params
        sort = query.get("sort") or default_sort
        key = sort.lstrip("-")
        if key not in sorts:
            sort, key = default_sort, default_sort.lstrip("-")
        page = _positive(query.get("page"), 1, 1_000_000)
        chosen_size = _positive(query.get("size"), size, MAX_PAGE_SIZE)
        kept = {k: v for k, v in query.items() if k not in ("page", "sort", "size") and v != ""}
        return cls(path or request.url.path, kept, sorts, key, not sort.startswith("-"), page, chosen_size,
                   default_size=size)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def sort(self) -> str:
        return ("" if self.ascending else "-") + self.sort_key

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def show(self, rows: Sequence[Any], total: int) -> Listing:
        """One page the API cut itself."""
        self.rows, self.total = list(rows), total
        return self

    def arrange(self, rows: Sequence[Any]) -> Listing:
        """A whole list: sorted by the chosen column (blanks last), then one page of it."""
        by = self.sorts[self.sort_key]
        present = [r for r in rows if by(r) not in (None, "")]
        blank = [r for r in rows if by(r) in (None, "")]
        present.sort(key=lambda r: _comparable(by(r)), reverse=not self.ascending)
        ordered = present + blank
        self.total = len(ordered)
        self.page = min(self.page, self.pages)
        self.rows = ordered[self.offset:self.offset + self.size]
        return self

    def url(self, **changes: Any) -> str:
        params = {**self.kept, "sort": self.sort, "page": str(self.page)}
        if self.size != self.default_size:
            params["size"] = str(self.size)  # a page size chosen in the address stays
        params.update({k: str(v) for k, v in changes.items()})
        if params.get("page") == "1":
            params.pop("page")
        return f"{self.path}?{urlencode(params)}"

    def window(self) -> list[int | None]:
        """Page numbers to show: the first, the last, and two either side of this one."""
        wanted = {1, self.pages, *range(self.page - 2, self.page + 3)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        shown: list[int | None] = []
        for number in numbers:
            if shown and number - shown[-1] > 1:  # type: ignore[operator]
                shown.append(None)
            shown.append(number)
        return shown

    def summary(self) -> str:
        if not self.total:
            return "Nothing to show."
        first = self.offset + 1
        last = min(self.offset + self.size, self.total)
        return f"Showing {first}–{last} of {self.total}."


def _positive(value: str | None, default: int, ceiling: int) -> int:
    if value and value.isdigit():
        return max(1, min(int(value), ceiling))
    return default


def _comparable(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value
