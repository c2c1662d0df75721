"""The return-to-sport clearance report (issue 14, point 5): a one- or two-page PDF made when a clinician signs off
clearance (the advance out of the protocol's clearance phase) and again at discharge, for the medical file and the
coach.

It says: the injury and its grade; the days from injury to clearance (and to discharge) against the published
typical range for the grade; every exit criterion of the last phases with its value, threshold and source (from
the decisions' stored reasons: what the engine checked, not a recomputation); the strength (LSI) and speed trend;
the athlete's apprehension; who signed off, and when.

Built with fpdf2 (pure Python, no system libraries) in Helvetica, so the text is kept to Latin-1 (`_latin`).
Made by the outbox handler `progression.clearance_report` (progression/tasks.py), enqueued in the sign-off's
transaction: the PDF is written after the sign-off commits and a failure is retried, never shown to the clinician.
"""
from django.core.files.base import ContentFile
from django.db import transaction
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from core import clock
from core.audit import audit_record

from .engine_io import engine_protocol
from .models import ClearanceReport, Decision, Phase
from .services.base import clearance_phase

#: PROTOCOL.md, "Re-injury and return" (and docs/protocol.md): the published typical return times.
TYPICAL_RETURN_SOURCE = ("Typical return is 17-24 days for grade 1-2 injuries and 34-48 days for injuries involving "
                         "the tendon (Ekstrand 2016; Pollock 2022), as cited in PROTOCOL.md and docs/protocol.md.")
TREND_ROWS = 8


def report_kind(decision: Decision, protocol) -> str | None:
    """"clearance", "discharge", or None: is a signed-off `decision` one that gets a report?"""
    if decision.outcome != Decision.Outcome.ADVANCE:
        return None
    if decision.to_phase is None:
        return ClearanceReport.Kind.DISCHARGE
    cleared = clearance_phase(protocol)
    if cleared is not None and decision.from_phase == cleared and decision.to_phase == cleared + 1:
        return ClearanceReport.Kind.CLEARANCE
    return None


def typical_range(injury) -> tuple[int, int, str] | None:
    """The published typical days to return for this injury, or None where PROTOCOL.md gives none."""
    if injury.bamic_site == "c":
        return 34, 48, "an injury involving the tendon (BAMIC site c)"
    if injury.bamic_grade in (1, 2):
        return 17, 24, "a grade 1-2 injury"
    return None


# --- the facts -----------------------------------------------------------------------------------------------

def _exit_decisions(decision: Decision) -> list[Decision]:
    """The signed-off decision and the advance that brought the plan into its phase: the last two phases' exits."""
    earlier = (decision.plan.decisions.filter(outcome=Decision.Outcome.ADVANCE, to_phase=decision.from_phase,
                                              status__in=[Decision.Status.SIGNED_OFF, Decision.Status.APPLIED],
                                              created_at__lte=decision.created_at)
               .exclude(pk=decision.pk).order_by("-created_at", "-id").first())
    return [decision] + ([earlier] if earlier is not None else [])


def _split_values(values: dict) -> tuple[str, str]:
    threshold, shown = [], []
    for key, value in (values or {}).items():
        if key == "ref":  # the engine's row reference: means nothing on paper
            continue
        if key in ("min", "threshold_min") or key.startswith("min_"):
            threshold.append(f">= {value}")
        elif key in ("max", "threshold_max") or key.startswith("max_"):
            threshold.append(f"<= {value}")
        elif isinstance(value, list):
            items = []
            for item in value:
                if isinstance(item, dict):
                    picked = [str(v) for k, v in item.items() if k not in ("date", "ref") and v is not None]
                    items.append(" / ".join(picked) + (f" ({item['date']})" if item.get("date") else ""))
                else:
                    items.append(str(item))
            shown.append(f"{key.replace('_', ' ')}: " + ", ".join(items) if items else f"{key}: none")
        elif isinstance(value, dict):
            shown.append(", ".join(f"{k}: {v}" for k, v in value.items()))
        else:
            shown.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(shown) or "-", " ".join(threshold) or "-"


def criteria_rows(decision: Decision) -> list[dict]:
    return [{"title": r.get("title") or r.get("code"), "status": r.get("status", ""),
             "value": _split_values(r.get("values") or {})[0], "threshold": _split_values(r.get("values") or {})[1],
             "source": r.get("source") or "", "message": r.get("message") or ""}
            for r in decision.reasons if r.get("kind") == "criterion"]


def report_facts(decision: Decision) -> dict:
    plan = decision.plan
    injury = plan.injury
    athlete = injury.athlete
    tz = athlete.organisation.tz
    protocol = engine_protocol(plan.protocol)
    names = dict(Phase.objects.filter(protocol=plan.protocol).values_list("number", "name"))
    sessions = list(plan.session_logs.filter(voided_at__isnull=True).order_by("date", "id"))
    assessments = list(injury.assessments.filter(voided_at__isnull=True).order_by("assessed_on", "id"))
    strength = [(a.assessed_on, a.strength_lsi, f"assessment, {a.get_strength_method_display() or 'method not given'}"
                 + (f", {a.strength_injured_n} / {a.strength_uninjured_n} N" if a.strength_injured_n else ""))
                for a in assessments if a.strength_lsi is not None]
    strength += [(s.date, s.strength_lsi, f"session, {s.get_strength_method_display() or 'method not given'}")
                 for s in sessions if s.strength_lsi is not None]
    strength.sort(key=lambda row: row[0])
    speed = [(s.date, s.peak_speed_pct, s.efforts_95) for s in sessions if s.peak_speed_pct is not None]
    apprehension = [(s.date, s.apprehension, "session (H-test)") for s in sessions if s.apprehension is not None]
    apprehension += [(a.assessed_on, a.h_test_insecurity, "assessment (H-test)") for a in assessments
                     if a.h_test_insecurity is not None]
    apprehension.sort(key=lambda row: row[0])
    clearance_date = plan.clearance_date or (decision.decided_on if report_kind(decision, protocol)
                                             == ClearanceReport.Kind.CLEARANCE else None)
    sections = []
    for d in _exit_decisions(decision):
        target = "discharge" if d.to_phase is None else f"P{d.to_phase}"
        sections.append({"heading": f"Exit criteria of P{d.from_phase} {names.get(d.from_phase, '')}".rstrip()
                         + f" (decided {d.decided_on:%d %b %Y}, to {target})", "rows": criteria_rows(d)})
    reviewer = decision.reviewed_by
    return {
        "kind": report_kind(decision, protocol),
        "athlete": athlete.full_name, "organisation": athlete.organisation.name,
        "injury": f"{injury.get_side_display()} {injury.get_muscle_display()}, BAMIC grade {injury.grade_label}"
                  f" ({injury.get_mechanism_display().lower()}), injured {injury.date_of_injury:%d %b %Y}",
        "grade": f"BAMIC grade {injury.grade_label}",
        "protocol": f"{plan.protocol.name}, version {plan.protocol.version}",
        "date_of_injury": injury.date_of_injury,
        "clearance_date": clearance_date,
        "days_to_clearance": (clearance_date - injury.date_of_injury).days if clearance_date else None,
        "discharge_date": plan.completed_on if decision.to_phase is None else None,
        "typical": typical_range(injury),
        "sections": sections,
        "strength": strength[-TREND_ROWS:], "speed": speed[-TREND_ROWS:], "apprehension": apprehension[-TREND_ROWS:],
        "warnings": [w.get("message", "") for w in decision.warnings or []],
        "signed_by": (reviewer.get_full_name() or reviewer.get_username()) if reviewer else "not recorded",
        "signed_at": clock.local_time(tz, decision.reviewed_at) if decision.reviewed_at else None,
        "made_at": clock.local_time(tz),
    }


# --- the PDF ------------------------------------------------------------------------------------------------

_LATIN = {"≥": ">=", "≤": "<=", "→": "->", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "·": "-",
          "…": "...", "×": "x", "°": " deg", "\u00a0": " ", "≠": "!="}


def _latin(text) -> str:
    text = "" if text is None else str(text)
    for char, plain in _LATIN.items():
        text = text.replace(char, plain)
    return text.encode("latin-1", "replace").decode("latin-1")


class _Report(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title = title
        self.set_margins(14, 14, 14)
        self.set_auto_page_break(auto=True, margin=14)
        self.set_title(title)
        self.set_creator("Sprint Rehab")

    def footer(self):
        self.set_y(-10)
        self.set_font("Helvetica", size=7)
        self.cell(0, 5, _latin(f"{self.report_title} - page {self.page_no()} of {{nb}}"), align="R")

    def heading(self, text: str):
        self.ln(1.5)
        self.set_font("Helvetica", "B", 10.5)
        self.cell(0, 6, _latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", size=8.5)

    def para(self, text: str, size: float = 8.5, emphasis: str = ""):
        self.set_font("Helvetica", emphasis, size)
        self.multi_cell(0, 4.2, _latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(self, header, rows, widths, size=7.5):
        self.set_font("Helvetica", size=size)
        with self.table(col_widths=widths, text_align="LEFT", line_height=3.6, padding=0.8,
                        first_row_as_headings=True) as table:
            head = table.row()
            for cell in header:
                head.cell(_latin(cell))
            for values in rows:
                row = table.row()
                for cell in values:
                    row.cell(_latin(cell))
        self.ln(1)


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def render_pdf(facts: dict) -> tuple[bytes, int]:
    """The report as PDF bytes, and its page count."""
    discharge = facts["kind"] == ClearanceReport.Kind.DISCHARGE
    title = "Discharge report" if discharge else "Return-to-sport clearance report"
    pdf = _Report(title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 8, _latin(f"{title}: {facts['athlete']}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.para(f"{facts['organisation']} - {facts['protocol']}", size=9)

    pdf.heading("Injury and time to clearance")
    pdf.para(f"Injury: {facts['injury']}.")
    if facts["days_to_clearance"] is not None:
        line = (f"Cleared for return to sport on {facts['clearance_date']:%d %b %Y}: "
                f"{facts['days_to_clearance']} days after the injury.")
    else:
        line = "No clearance date on record."
    typical = facts["typical"]
    if typical:
        low, high, what = typical
        days = facts["days_to_clearance"]
        where = ("" if days is None else " - within it" if low <= days <= high
                 else " - shorter than typical" if days < low else " - longer than typical")
        line += f" Published typical range for {what}: {low}-{high} days{where}."
    else:
        line += f" No published typical range for {facts['grade']} in the protocol's sources."
    pdf.para(line)
    if discharge and facts["discharge_date"]:
        pdf.para(f"Discharged on {facts['discharge_date']:%d %b %Y}: "
                 f"{(facts['discharge_date'] - facts['date_of_injury']).days} days after the injury.")
    pdf.para(f"Source: {TYPICAL_RETURN_SOURCE}", size=7.5, emphasis="I")
    for warning in facts["warnings"]:
        pdf.para(f"Warning noted at the decision: {warning}", size=8)

    for section in facts["sections"]:
        pdf.heading(section["heading"])
        rows = [(r["title"], r["status"].replace("_", " "), r["value"], r["threshold"], r["source"])
                for r in section["rows"]]
        if rows:
            pdf.grid(("Criterion", "Status", "Value", "Threshold", "Source"), rows, (34, 15, 52, 19, 62), size=7)
        else:
            pdf.para("No exit criteria recorded with this decision.")

    pdf.heading("Strength (limb symmetry index) trend")
    if facts["strength"]:
        pdf.grid(("Date", "LSI %", "From"), [(f"{d:%d %b %Y}", _fmt(v), how) for d, v, how in facts["strength"]],
                 (30, 20, 132))
    else:
        pdf.para("No strength measured.")
    pdf.heading("Speed trend (peak speed, % of maximal velocity)")
    if facts["speed"]:
        pdf.grid(("Date", "Peak %Vmax", "Efforts >= 95%"),
                 [(f"{d:%d %b %Y}", _fmt(v), _fmt(e)) for d, v, e in facts["speed"]], (30, 30, 122))
    else:
        pdf.para("No peak speed measured.")
    pdf.heading("Apprehension (H-test insecurity, 0-100)")
    if facts["apprehension"]:
        pdf.grid(("Date", "Insecurity", "From"), [(f"{d:%d %b %Y}", _fmt(v), how) for d, v, how in facts["apprehension"]],
                 (30, 30, 122))
    else:
        pdf.para("No apprehension recorded.")

    pdf.heading("Signed off")
    signed = facts["signed_at"]
    pdf.para(f"{'Discharge' if discharge else 'Clearance'} signed off by {facts['signed_by']}"
             + (f" on {signed:%d %b %Y at %H:%M} ({signed.tzname()})." if signed else "."))
    pdf.para(f"Report made {facts['made_at']:%d %b %Y %H:%M} from the decision's stored reasons and the plan's "
             "records.", size=7.5, emphasis="I")
    data = bytes(pdf.output())
    return data, pdf.page_no()


def clearance_report_pdf(decision: Decision) -> tuple[bytes, int]:
    return render_pdf(report_facts(decision))


@transaction.atomic
def clearance_report_create(*, decision_id: int) -> ClearanceReport | None:
    """Make and store the report of a signed-off clearance or discharge (once: a second call returns the first).
    The system's write (the outbox handler), audited with no actor."""
    decision = (Decision.objects.select_for_update(of=("self",)).select_related("plan__injury__athlete__organisation",
                                                                     "plan__protocol", "reviewed_by")
                .filter(pk=decision_id).first())
    if decision is None or decision.status != Decision.Status.SIGNED_OFF:
        return None
    existing = ClearanceReport.objects.filter(decision=decision).first()
    if existing is not None:
        return existing
    kind = report_kind(decision, engine_protocol(decision.plan.protocol))
    if kind is None:
        return None
    data, pages = clearance_report_pdf(decision)
    report = ClearanceReport(decision=decision, kind=kind, pages=pages)
    report.file.save(f"{decision.pk}-{kind}.pdf", ContentFile(data), save=False)
    report.save()
    audit_record(actor=None, action="clearance_report.create", target=report,
                 after={"decision": decision.pk, "kind": kind, "pages": pages, "bytes": len(data)})
    return report
