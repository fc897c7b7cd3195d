"""Every list's pages and sort order come from the address, and nonsense there never fails a page."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from web.listing import MAX_PAGE_SIZE, Listing

SORTS = {"name": lambda r: r["name"], "city": lambda r: r.get("city")}


def request(query: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/things", "query_string": query.encode(),
                    "headers": []})


def rows(n: int) -> list[dict]:
    return [{"name": f"name {i:02d}", "city": None if i % 5 == 0 else f"city {i % 3}"} for i in range(n)]


@pytest.mark.parametrize("query", ["page=abc", "page=-3", "page=0", "sort=password", "sort=--name", "size=99999",
                                   "page=%00", "sort=%F0%9F%9A%A2", "page=" + "9" * 400])
def test_nonsense_in_the_address_falls_back_to_the_defaults(query):
    listing = Listing.read(request(query), SORTS, "name", size=10).arrange(rows(25))
    assert 1 <= listing.page <= listing.pages
    assert listing.sort_key in SORTS
    assert len(listing.rows) <= listing.size <= MAX_PAGE_SIZE


def test_a_whole_list_is_sorted_both_ways_with_blanks_last_and_cut_into_pages():
    listing = Listing.read(request("sort=-city&page=2"), SORTS, "name", size=10).arrange(rows(25))
    assert (listing.total, listing.pages, listing.page) == (25, 3, 2)
    first_page = Listing.read(request("sort=-city"), SORTS, "name", size=10).arrange(rows(25)).rows
    assert [r["city"] for r in first_page][:3] == ["city 2"] * 3
    last_page = Listing.read(request("sort=-city&page=3"), SORTS, "name", size=10).arrange(rows(25)).rows
    assert last_page[-1]["city"] is None  # blanks last, whichever way


def test_a_page_past_the_end_shows_the_last_page():
    listing = Listing.read(request("page=40"), SORTS, "name", size=10).arrange(rows(25))
    assert listing.page == 3 and [r["name"] for r in listing.rows] == ["name 20", "name 21", "name 22",
                                                                       "name 23", "name 24"]


def test_links_keep_the_filters_and_change_only_what_they_say():
    listing = Listing.read(request("state=pending&sort=-name&page=2&q=a%26b"), SORTS, "name", size=10)
    listing.show(rows(10), total=95)
    url = listing.url(page=3)
    assert url.startswith("/things?") and "state=pending" in url and "q=a%26b" in url and "page=3" in url
    assert "sort=-name" in url
    assert "page=" not in listing.url(page=1)  # page 1 is the page without a number


def test_the_page_window_shows_the_ends_and_the_neighbours():
    listing = Listing.read(request("page=10"), SORTS, "name", size=10).show([], total=200)
    assert listing.window() == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert listing.summary() == "Showing 91–100 of 200."
    assert Listing.read(request(""), SORTS, "name").show([], total=0).summary() == "Nothing to show."
