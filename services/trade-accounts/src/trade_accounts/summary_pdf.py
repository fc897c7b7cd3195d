"""The Organization Profile Summary as a PDF (TA-06), made with ReportLab.

Text is set in Noto Sans (the `fontpkg-noto-sans` package, SIL OFL), embedded
in the PDF: ReportLab's built-in Helvetica has no glyphs beyond Latin-1, so
names such as Łódź or Nguyễn printed as boxes. Noto Sans covers Latin
(Vietnamese included), Greek and Cyrillic.
"""

from __future__ import annotations

import io
from datetime import datetime
from functools import cache
from xml.sax.saxutils import escape

import fontpkg_noto_sans
import ttf_opensans
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from trade_accounts.domain.trade_account import TradeAccount

_TYPE_NAMES = {
    "headquarters": "Headquarters",
    "international_corporate_headquarters": "International Corporate Headquarters",
    "trade_security_poc_office": "Trade/Security Point of Contact Office",
    "cargo_handling_facility": "Import/Export Cargo Handling Facility",
    "policy_training_location": "Policy Generation and Training Location",
    "other": "Other",
    "company_administrator": "Company Administrator",
    "user": "User",
}


FONT = "NotoSans"
BOLD = "OpenSans-Bold"


@cache
def _styles() -> StyleSheet1:
    """The sample styles in Noto Sans; the font is registered once, on the first PDF."""
    files = fontpkg_noto_sans.ROOT / "files"
    # Variable fonts: ReportLab embeds their default instance (Regular) only, so bold is Open Sans Bold, the
    # design Noto Sans comes from (as ctpat's summary does).
    pdfmetrics.registerFont(TTFont(FONT, str(files / "NotoSans[wdth,wght].ttf")))
    pdfmetrics.registerFont(TTFont(f"{FONT}-Italic", str(files / "NotoSans-Italic[wdth,wght].ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(ttf_opensans.OPENSANS_BOLD.path)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=f"{FONT}-Italic", boldItalic=BOLD)
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        if hasattr(style, "fontName"):
            name = style.fontName
            slanted = "Oblique" in name or "Italic" in name
            style.fontName = BOLD if "Bold" in name else f"{FONT}-Italic" if slanted else FONT
    # Noto is wider than Helvetica: a smaller size keeps an email or a name on one line in its column.
    styles.add(ParagraphStyle("TableCell", parent=styles["BodyText"], fontSize=8.5, leading=10.5))
    return styles


def _table(rows: list[list[str]], widths_in_inches: list[float]) -> Table:
    cell = _styles()["TableCell"]
    cells = [[Paragraph(escape(str(c)), cell) for c in row] for row in rows]
    # Widths chosen so lines wrap between words, not inside an email or a name.
    table = Table(cells, repeatRows=1, colWidths=[w * inch for w in widths_in_inches])
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def summary_pdf(account: TradeAccount, generated_at: datetime) -> bytes:
    styles = _styles()
    company = account.company
    story = [
        Paragraph("Organization Profile Summary", styles["Title"]),
        Paragraph(escape(company.company_name), styles["Heading2"]),
        Paragraph(f"Trade Account {account.id} - generated {generated_at:%Y-%m-%d %H:%M} UTC", styles["Italic"]),
        Spacer(1, 12),
        Paragraph("Company Information", styles["Heading3"]),
        _table([
            ["Field", "Value"],
            ["Company name", company.company_name],
            ["Doing business as", company.doing_business_as or ""],
            ["Number of employees", "" if company.number_of_employees is None else str(company.number_of_employees)],
            ["Business start date", company.business_start_date.isoformat() if company.business_start_date else ""],
            ["Brief history", company.brief_history or ""],
        ], [1.8, 5.2]),
        Spacer(1, 12),
        Paragraph("Addresses", styles["Heading3"]),
        _table([["Type", "Street", "City", "State", "Country", "Postal code"]] + [
            [_TYPE_NAMES[a.type.value], " ".join(filter(None, [a.street_line_1, a.street_line_2])), a.city,
             a.state or "", a.country, a.postal_code]
            for a in account.addresses
        ], [1.6, 2.2, 1.1, 0.6, 0.7, 0.9]),
        Spacer(1, 12),
        Paragraph("Users", styles["Heading3"]),
        _table([["Name", "Title", "Email", "Phone", "Type", "Status"]] + [
            [f"{m.details.salutation} {m.details.first_name} {m.details.last_name}", m.details.title, m.email,
             m.details.phone, _TYPE_NAMES[m.type.value], m.status.value.capitalize()]
            for m in account.members
        ], [1.3, 1.3, 2.1, 1.1, 1.1, 0.7]),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=LETTER, title=f"Organization Profile - {company.company_name}",
                                 author="C-TPAT Portal")
    document.build(story)
    return buffer.getvalue()
