"""The annual review of the Security Profile (CT-13).

The Partner Agreement calls for a review every year. Its window opens 90 days
before the certification anniversary and closes on it: only a review submitted
inside the window satisfies the year. The Officer affirms every statement of
the profile, one by one (updating a response where practice changed), submits,
and the SCSS approves.

Due dates are the anniversary's day and month in each later year (29 February
falls on 28 February in a common year).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

WINDOW = timedelta(days=90)


class ReviewState(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    APPROVED = "approved"


@dataclass
class AnnualReview:
    review_year: int
    opens_on: date
    due_date: date
    state: ReviewState = ReviewState.OPEN
    submitted_at: datetime | None = None
    submitted_by: uuid.UUID | None = None
    approved_at: datetime | None = None
    approved_by: uuid.UUID | None = None

    def window_open_on(self, day: date) -> bool:
        return self.opens_on <= day <= self.due_date

    def missed_on(self, day: date) -> bool:
        """Not submitted by the due date: the year is not satisfied."""
        return self.state is ReviewState.OPEN and day > self.due_date


def _in_year(anniversary: date, year: int) -> date:
    try:
        return anniversary.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


def next_due_date(anniversary: date, after: date) -> date:
    """The first due date (the anniversary in a later year) that is on or after `after`."""
    year = max(anniversary.year + 1, after.year)
    due = _in_year(anniversary, year)
    while due < after:
        year += 1
        due = _in_year(anniversary, year)
    return due


def window_opens(due: date) -> date:
    return due - WINDOW
