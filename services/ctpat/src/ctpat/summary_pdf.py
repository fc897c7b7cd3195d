"""The Security Model Summary as a PDF (CT-10), made with ReportLab as trade-accounts' summary is.

Everything the Summary shows: the company, its business types with their
sub-types and C-TPAT account numbers, the entity identifiers, the status and
its history, the company profile's addresses and contacts, the signatures,
and the Security Profile by focus area and category, each criterion with its
response and its evidence.

Fonts: ReportLab sets text in one font at a time and has no fallback, so each
run of text goes to the first of these that has its characters, all embedded:
Noto Sans (`fontpkg-noto-sans`, Latin with Vietnamese, Greek, Cyrillic, as
trade-accounts' summary uses), Open Sans Bold for bold (`ttf-opensans`: Noto
Sans is drawn from Open Sans, and ReportLab embeds only the Regular instance of
Noto's variable font), then WenQuanYi Micro Hei (`paperang-p2-fonts-cjk`) for
Chinese, Japanese and Korean and the symbols (✓, arrows) the others lack. What
none of them has (Arabic, Hebrew, the Indic scripts, most emoji, which would
also need ReportLab's optional shaping and bidi extras) draws as a box but
stays in the PDF's text, to search and copy.

Criteria are paragraphs, never table cells: a long response then flows on to
the next page, where a table row may not.
"""

from __future__ import annotations

import io
import re
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import fontpkg_noto_sans
import paperang_p2_fonts_cjk
import ttf_opensans
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.rl_accel import sameFrag
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ctpat.catalogue import Catalogue, Criterion
from ctpat.domain.security_model import SecurityModel, Status
from ctpat.domain.trade_accounts import KnownTradeAccount
from ctpat.use_cases.security_profile import ProfileView

REGULAR = "NotoSans"
ITALIC = "NotoSans-Italic"
BOLD = "OpenSans-Bold"
FALLBACK = "WenQuanYiMicroHei"
# Which fonts a run of text may fall back to, by the font its style asks for.
_CHAINS = {REGULAR: (REGULAR, FALLBACK), ITALIC: (ITALIC, REGULAR, FALLBACK), BOLD: (BOLD, REGULAR, FALLBACK)}
# C0 controls other than tab and newline draw nothing and have no glyph anywhere.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LEVELS = {"must": "Must", "should": "Should"}
_CONTACT_TYPES = {"officer": "Company Officer", "employee": "Employee", "consultant": "Consultant"}
_AGREEMENTS = {"partner": "C-TPAT Partner Agreement", "svi": "SVI Agreement", "exporter": "Exporter Agreement",
               "neec": "NEEC Agreement", "mutual_recognition": "Mutual Recognition Agreement"}
# One document at a time: ReportLab keeps font and parser state at module level, not meant to be shared
# between threads, and the route renders in a worker thread (the GIL would allow no more than one anyway).
_RENDERING = threading.Lock()


@dataclass(frozen=True)
class _Typesetting:
    styles: StyleSheet1
    coverage: dict[str, frozenset[int]]
    lacking: dict[str, re.Pattern[str]]  # by font: runs of characters it has no glyph for


def _register(name: str, path: Path, **kwargs) -> frozenset[int]:
    font = TTFont(name, str(path), **kwargs)
    pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
    return frozenset(font.face.charToGlyph)


@cache
def _typesetting() -> _Typesetting:
    """Fonts registered and styles made once, on the first PDF (a few tens of milliseconds)."""
    noto = fontpkg_noto_sans.ROOT / "files"
    coverage = {
        REGULAR: _register(REGULAR, noto / "NotoSans[wdth,wght].ttf"),
        ITALIC: _register(ITALIC, noto / "NotoSans-Italic[wdth,wght].ttf"),
        BOLD: _register(BOLD, ttf_opensans.OPENSANS_BOLD.path),
        FALLBACK: _register(FALLBACK, Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc",
                            subfontIndex=0),
    }
    # `<b>` and `<i>` in a Noto Sans paragraph pick these.
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD)
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        if hasattr(style, "fontName"):
            name = style.fontName
            style.fontName = BOLD if "Bold" in name else ITALIC if "Oblique" in name or "Italic" in name else REGULAR
    styles.add(ParagraphStyle("Cell", parent=styles["BodyText"], fontSize=8.5, leading=10.5))
    styles.add(ParagraphStyle("HeadCell", parent=styles["Cell"], fontName=BOLD))
    styles.add(ParagraphStyle("Criterion", parent=styles["BodyText"], fontName=BOLD, spaceBefore=8, spaceAfter=2,
                              keepWithNext=True))
    # Only the short criterion line keeps with what follows: keeping a long response with its statement
    # would lay the response out twice.
    styles.add(ParagraphStyle("Statement", parent=styles["BodyText"], spaceBefore=0, spaceAfter=3))
    styles.add(ParagraphStyle("Answer", parent=styles["BodyText"], leftIndent=58, bulletIndent=0,
                              bulletFontName=BOLD, bulletFontSize=styles["BodyText"].fontSize,
                              spaceBefore=0, spaceAfter=2))
    return _Typesetting(styles, coverage, {font: _lacking(covered) for font, covered in coverage.items()})


def _lines(text: str) -> list[str]:
    """User text's lines, without the control characters that draw nothing."""
    text = _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    return text.split("\n")


def _markup(line: str, font: str = REGULAR) -> str:
    """One line of anyone's text as Paragraph markup: escaped, each run in the first font that has its
    characters (one no font has stays in `font`: a box on the page, still in the PDF's text)."""
    if line.isascii():
        return escape(line)
    typesetting = _typesetting()
    lacking = typesetting.lacking[font]
    if lacking.search(line) is None:
        return escape(line)
    if font == REGULAR and typesetting.lacking[FALLBACK].search(line) is None:
        # All of it in the fallback (whose Latin is Droid Sans, as Noto's is): one font keeps the paragraph on
        # ReportLab's fast path.
        return _in_font(line, FALLBACK, font)
    parts, start = [], 0
    for gap in lacking.finditer(line):
        parts.append(escape(line[start:gap.start()]))
        start = gap.end()
        run: list[str] = []
        run_font = font
        for char in gap.group():
            if char.isascii() and run:
                chosen = run_font  # spaces and punctuation between two foreign characters stay in their run
            else:
                chosen = next((f for f in _CHAINS[font][1:] if ord(char) in typesetting.coverage[f]), font)
            if chosen != run_font and run:
                parts.append(_in_font("".join(run), run_font, font))
                run = []
            run_font = chosen
            run.append(char)
        parts.append(_in_font("".join(run), run_font, font))
    parts.append(escape(line[start:]))
    return "".join(parts)


def _in_font(text: str, font: str, paragraph_font: str) -> str:
    return escape(text) if font == paragraph_font else f'<font name="{font}">{escape(text)}</font>'


def _lacking(coverage: frozenset[int]) -> re.Pattern[str]:
    """Matches runs of characters the font has no glyph for, with the ASCII spaces, digits and punctuation
    between them (so "✓ 東京" is one run, in one font)."""
    ranges, codes = [], sorted(coverage)
    first = previous = codes[0]
    for code in codes[1:]:
        if code != previous + 1:
            ranges.append((first, previous))
            first = code
        previous = code
    ranges.append((first, previous))
    lacking = "[^" + "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]+"
    return re.compile(rf"{lacking}(?:[\x20-\x40\x5b-\x60\x7b-\x7e]+{lacking})*")


def _paragraph(markup: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    """A Paragraph whose neighbouring pieces of text in the same style are one: ReportLab's parser makes a
    piece of each `&amp;` or `&lt;`, and a paragraph of one piece is laid out on its fast path, several
    times faster than one of many."""
    paragraph = Paragraph(markup, style, bulletText=bullet)
    merged = paragraph.frags[:1]
    for frag in paragraph.frags[1:]:
        if sameFrag(merged[-1], frag) and isinstance(frag.text, str) and isinstance(merged[-1].text, str):
            merged[-1] = merged[-1].clone(text=merged[-1].text + frag.text)
        else:
            merged.append(frag)
    paragraph.frags = merged
    return paragraph


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """Anyone's text as one paragraph (line breaks kept), escaped and in fonts that have its characters."""
    font = style.fontName if style.fontName in _CHAINS else REGULAR
    return _paragraph("<br/>".join(_markup(line, font) for line in _lines(text)), style)


def _paras(text: str, style: ParagraphStyle, label: str) -> list[Paragraph]:
    """A long text as a paragraph per line (a line break, like a change of font, takes a paragraph off
    ReportLab's fast path), the first labelled in the margin."""
    lines = [line for line in _lines(text) if line.strip()] or [""]
    font = style.fontName if style.fontName in _CHAINS else REGULAR
    return [_paragraph(_markup(line, font), style, label if i == 0 else None) for i, line in enumerate(lines)]


def _table(header: Sequence[str] | None, rows: Iterable[Sequence[str]], widths_in_inches: Sequence[float]) -> Flowable:
    """Rows of anyone's text; a row taller than what is left of the page splits inside (a long reason)."""
    styles = _typesetting().styles
    body = [[_para(str(c), styles["Cell"]) for c in row] for row in rows]
    if not body:
        return _para("None.", styles["Italic"])
    head = [[_para(h, styles["HeadCell"]) for h in header]] if header else []
    table = Table(head + body, repeatRows=len(head), splitInRow=1, colWidths=[w * inch for w in widths_in_inches])
    table.setStyle(TableStyle([
        *([("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)] if head else []),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""


def _status(status: Status | None) -> str:
    return status.value.replace("_", " ").capitalize() if status else ""


class _People:
    """Names the users a model records by id: its Trade Account's users by name and email, CBP staff by email;
    anyone else (a user since removed) by id."""

    def __init__(self, account: KnownTradeAccount | None, staff: dict[uuid.UUID, str] | None = None) -> None:
        members = account.members.values() if account else ()
        self._by_user = {user_id: f"{email} (CBP)" for user_id, email in (staff or {}).items()}
        self._by_user |= {m.user_id: f"{m.name} ({m.email})" for m in members if m.user_id is not None}

    def __call__(self, user_id: uuid.UUID | None) -> str:
        if user_id is None:
            return ""
        return self._by_user.get(user_id, str(user_id))


def _company_profile(
    model: SecurityModel, account: KnownTradeAccount | None, catalogue: Catalogue, staff: dict[uuid.UUID, str],
) -> list:
    styles = _typesetting().styles
    who = _People(account, staff)
    heading = styles["Heading2"]
    addresses = account.addresses if account else {}
    members = account.members if account else {}
    story: list = [_para("Security Model", heading), _table(None, [
        ["Status", _status(model.status)],
        ["Certification anniversary", _day(model.anniversary_date)],
        ["Assigned SCSS", who(model.scss_user_id) or "None yet"],
        ["Waiting for the SCSS's review", "Yes" if model.profile_submitted else "No"],
        ["Trade Account", str(model.trade_account_id)],
        ["Started", f"{_when(model.created_at)} by {who(model.created_by)}"],
        ["Criteria catalogue version", str(model.catalogue_version)],
    ], [2.0, 5.0])]

    story += [_para("Business Types", heading)]
    rows, answers = [], []
    for entry in model.business_types:
        spec = catalogue.business_type(entry.code)
        sub_type = next((s.name for s in spec.sub_types if s.code == entry.sub_type), entry.sub_type) if spec \
            else entry.sub_type
        rows.append([spec.name if spec else entry.code, sub_type, entry.account_number])
        for question in spec.questions if spec else ():
            value = entry.eligibility_answers.get(question.id)
            if value is not None:
                choice = question.choice(value)
                answers.append([spec.name, question.text, choice.label if choice else value])
    story += [_table(["Business type", "Sub-type", "C-TPAT account number"], rows, [2.6, 2.6, 1.8])]
    if answers:
        story += [Spacer(1, 6), _para("Eligibility answers", styles["Heading4"]),
                  _table(["Business type", "Question", "Answer"], answers, [1.5, 4.0, 1.5])]

    story += [_para("Entity Identifiers", heading), _table(["Identifier", "Value"], [
        [kind.name if (kind := catalogue.identifier_kinds.get(i.kind)) else i.kind, i.value]
        for i in model.identifiers
    ], [3.0, 4.0])]

    story += [_para("Status History", heading), _table(["When", "Status", "Previous", "By", "Why"], [
        [_when(e.at), _status(e.status), _status(e.previous), who(e.by),
         e.reason + (f" (anniversary {_day(e.anniversary_date)})" if e.anniversary_date else "")]
        for e in model.history
    ], [1.1, 1.1, 1.0, 1.7, 2.1])]

    story += [_para("Company Profile: Addresses", heading), _table(["Designation", "Address"], [
        [a.designation.value.capitalize() + (" and mailing" if a.primary and a.mailing else ""),
         addresses[a.address_id].one_line if a.address_id in addresses
         else f"{a.address_id} (no longer in the Trade Account)"]
        for a in model.addresses
    ], [1.5, 5.5])]

    story += [_para("Company Profile: Contacts", heading), _table(
        ["Name", "Title", "Email", "Type", "Primary POC"], [
            [m.name if (m := members.get(c.member_id)) else f"{c.member_id} (no longer in the Trade Account)",
             m.title if m else "", m.email if m else "", _CONTACT_TYPES.get(c.type.value, c.type.value),
             "Yes" if c.primary_poc else ""]
            for c in model.contacts
        ], [1.6, 1.5, 2.1, 1.1, 0.7])]

    story += [_para("Signatures", heading), _table(["Agreement", "Version", "Signed by", "Signed", "Revoked"], [
        [_AGREEMENTS.get(s.agreement.value, s.agreement.value), s.agreement_version,
         f"{s.signer_name} ({who(s.signed_by)})", _when(s.signed_at),
         f"{_when(s.revoked_at)} by {who(s.revoked_by)}" if s.revoked_at else ""]
        for s in model.signatures
    ], [1.6, 0.7, 2.3, 1.2, 1.2])]
    return story


def _criterion(criterion: Criterion, profile: ProfileView) -> list:
    styles = _typesetting().styles
    answer = styles["Answer"]
    flags = [_LEVELS.get(criterion.level, criterion.level)] + (["evidence required"] if criterion.evidence else [])
    story: list = [
        _para(f"{criterion.id}  ({', '.join(flags)})", styles["Criterion"]),
        _para(criterion.statement, styles["Statement"]),
    ]
    response = profile.responses.get(criterion.id)
    if response is None:
        story += _paras("No response yet.", answer, "Response")
    elif response.not_applicable:
        story += _paras(f"Not Applicable. Reason: {response.reason or ''}", answer, "Response")
    else:
        story += _paras(response.text or "", answer, "Response")
    documents = profile.evidence.get(criterion.id, [])
    if documents:
        story += _paras("; ".join(d.title for d in documents), answer, "Evidence")
    elif criterion.evidence:
        story += _paras("None uploaded yet.", answer, "Evidence")
    return story


def _security_profile(profile: ProfileView) -> list:
    styles = _typesetting().styles
    catalogue = profile.catalogue
    answered = sum(1 for c in profile.criteria if c.id in profile.responses)
    gaps = len(profile.gaps)
    story: list = [
        CondPageBreak(3 * inch),
        Spacer(1, 12),
        _para("Security Profile", styles["Heading1"]),
        _para(f"{answered} of {len(profile.criteria)} criteria answered; "
              + ("complete." if not gaps else f"{gaps} things still missing."), styles["BodyText"]),
    ]
    by_category: dict[int, list[Criterion]] = {}
    for criterion in profile.criteria:
        by_category.setdefault(criterion.category, []).append(criterion)
    for area in catalogue.focus_areas:
        numbers = [n for n in area.categories if n in by_category]
        if not numbers:
            continue
        story.append(_para(area.name, styles["Heading2"]))
        for number in numbers:
            story.append(_para(f"{number}. {catalogue.categories[number].name}", styles["Heading3"]))
            for criterion in by_category[number]:
                story += _criterion(criterion, profile)
    return story


def summary_pdf(profile: ProfileView, now: datetime) -> bytes:
    """The whole Security Model as the caller may see it, as PDF bytes."""
    with _RENDERING:
        return _render(profile, now)


def _render(profile: ProfileView, now: datetime) -> bytes:
    styles = _typesetting().styles
    model, account = profile.view.model, profile.view.account
    company = account.company_name if account else str(model.trade_account_id)
    story = [
        _para("C-TPAT Security Model Summary", styles["Title"]),
        _para(company, styles["Heading1"]),
        _para(f"Security Model {model.id}, generated {_when(now)}", styles["Italic"]),
        Spacer(1, 6),
        *_company_profile(model, account, profile.catalogue, profile.staff),
        *_security_profile(profile),
    ]

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.drawString(document.leftMargin, 0.5 * inch, f"C-TPAT Security Model {model.id}")
        canvas.drawRightString(LETTER[0] - document.rightMargin, 0.5 * inch, f"Page {document.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=LETTER, title=f"C-TPAT Security Model Summary - {company}",
                                 author="C-TPAT Portal")
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
