"""The journey: one new athlete from injury to discharge, through the pages only.

Three people, each in their own browser context: the clinician at a desk, the coach on a tablet, the athlete on a
phone. The clock (core.clock) is moved by the test between steps; the live server runs in a thread of this
process and reads the same clock, so "the next morning" is the next morning for every page.

The course (days from the plan's start; sessions at 18:00, next-morning reports at 08:00 the day after):

    P0  sessions d0, d2                      -> sign-off d3
    P1  d4, d6 (no report: a hold), d8, d10  -> sign-off d11
    P2  d12, d14                             -> sign-off d15
    P3  d16, d18 with pain 5: regress to P2
    P2  d20, d22 (the recovery)              -> sign-off d23
    P3  d24, d26                             -> sign-off d27
    P4  d28, d30 (efforts >= 95 %, H-test 0) -> sign-off d31
    P5  d32, d34 (full sessions, H-test 0)   -> return-to-sport clearance signed off d35
    P6  d42, d49, d56, d63                   -> discharge signed off d64 (28 days after clearance)

Every input is entered by the person who has it: the athlete logs pain, RPE and minutes and reports soreness;
the coach rates technique and records speed, efforts and full sessions; the clinician assesses strength and the
H-test and signs off. The phase is asserted after every step.
"""
import datetime
import re
import zoneinfo
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core import clock
from progression.models import Decision, Plan
from tests.e2e.conftest import DESKTOP, PHONE, TABLET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TZ = zoneinfo.ZoneInfo("Europe/London")
START = datetime.date(2026, 3, 2)  # a Monday; the injury was three days before
INJURY = START - datetime.timedelta(days=3)


def moment(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(START + datetime.timedelta(days=day), datetime.time(hour, minute), tzinfo=TZ)


def login(page, base, username, password="pw"):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def tap(page, legend: str, value: int):
    page.locator("fieldset.scale", has_text=legend).locator("label", has_text=re.compile(rf"^{value}$")).click()


class Journey:
    def __init__(self, base, clinic, coach, phone):
        self.base, self.clinic, self.coach, self.phone = base, clinic, coach, phone
        self.athlete_pk = None
        self.day = 0

    # --- time -------------------------------------------------------------------------------------------
    def at(self, day, hour, minute=0):
        self.day = day
        clock.travel_to(moment(day, hour, minute))

    # --- the plan, as the database has it (the pages are what the people see) ------------------------
    @property
    def plan(self) -> Plan:
        return Plan.objects.get(injury__athlete_id=self.athlete_pk)

    def phase_is(self, phase):
        assert self.plan.current_phase == phase, f"day {self.day}: expected P{phase}, plan is P{self.plan.current_phase}"

    def latest(self) -> Decision:
        return Decision.objects.filter(plan__injury__athlete_id=self.athlete_pk).order_by("-created_at", "-id").first()

    # --- the athlete, on the phone ------------------------------------------------------------------
    def athlete_logs(self, *, pain=0, rpe=5, minutes=40):
        p = self.phone
        p.goto(f"{self.base}/me/")
        p.get_by_role("link", name="Log today's session").click()
        tap(p, "Worst pain during the session", pain)
        tap(p, "How hard was it?", rpe)
        p.get_by_label("Minutes").fill(str(minutes))
        p.get_by_role("button", name="Save").click()
        if pain >= 7:
            expect(p.get_by_role("heading", name=re.compile("Stop"))).to_be_visible()
        else:
            expect(p.get_by_text("Today's session is logged")).to_be_visible()

    def athlete_reports(self, soreness=0):
        p = self.phone
        p.goto(f"{self.base}/me/")
        p.get_by_role("link", name="Report soreness").click()
        tap(p, "Soreness in the injured thigh this morning", soreness)
        p.get_by_role("button", name="Send").click()
        expect(p.get_by_text("your clinician sees it now")).to_be_visible()

    # --- the coach, on the tablet ------------------------------------------------------------------------
    def _logged_item(self, day):
        self.coach.goto(f"{self.base}/coach/")
        when = START + datetime.timedelta(days=day)
        # the grid's cell of that day (one athlete in the journey), with the logged session in it
        return self.coach.locator(f"table.weekgrid td[data-date='{when:%Y-%m-%d}']", has_text="Logged:")

    def coach_rates(self, day, *, correct=None):
        item = self._logged_item(day)
        item.get_by_role("link", name=re.compile("Rate")).click()
        boxes = self.coach.locator("input[name=items_correct]")
        for i in range(boxes.count() if correct is None else correct):
            boxes.nth(i).check()
        self.coach.get_by_role("button", name="Save the rating").click()
        expect(self.coach.get_by_text(re.compile(r"Technique [\d.]+% saved"))).to_be_visible()

    def coach_measures(self, day, *, mps=None, efforts=None, full=False):
        item = self._logged_item(day)
        item.get_by_role("link", name=re.compile("measurements", re.I)).click()
        page = self.coach
        if mps is not None:
            page.get_by_label("Peak speed").fill(str(mps))
            page.get_by_label("Unit").select_option("mps")
        if efforts is not None:
            page.get_by_label("Efforts at ≥ 95 % of Vmax").fill(str(efforts))
        if full:
            page.get_by_label("Full team or race-pace session").check()
        page.get_by_role("button", name="Save measurements").click()
        expect(page.get_by_text("Measurements saved")).to_be_visible()

    # --- the clinician, at the desk -----------------------------------------------------------------------
    def clinician_page(self):
        self.clinic.goto(f"{self.base}/clinic/athletes/{self.athlete_pk}/")

    def clinician_assesses(self, injured, uninjured=300, h_test=None):
        page = self.clinic
        self.clinician_page()
        page.get_by_role("link", name="add an assessment").click()
        page.get_by_label("Pain on palpation (0-10)").fill("0")
        page.get_by_label("Strength method").select_option("iso_90_90")
        page.get_by_label("Strength, injured leg (N)").fill(str(injured))
        page.get_by_label("Strength, uninjured leg (N)").fill(str(uninjured))
        if h_test is not None:
            page.get_by_label("H-test insecurity (0-100)").fill(str(h_test))
        page.get_by_role("button", name="Save assessment").click()
        expect(page.get_by_text("Assessment saved.")).to_be_visible()

    def clinician_signs_off(self, to_phase):
        page = self.clinic
        self.clinician_page()
        page.get_by_role("button", name="Sign off the advance").click()
        expect(page.get_by_text("Signed off: the plan has advanced.")).to_be_visible()
        if to_phase is None:
            assert self.plan.status == "completed"
        else:
            expect(page.get_by_role("heading", name=re.compile(rf"Plan: P{to_phase}"))).to_be_visible()
            self.phase_is(to_phase)

    # --- a whole session: the athlete logs at 18:00, staff measure, the report comes the next morning ----
    def session(self, day, *, pain=0, soreness=0, rate=False, mps=None, efforts=None, full=False, report=True):
        self.at(day, 18)
        self.athlete_logs(pain=pain)
        if rate:
            self.at(day, 19)
            self.coach_rates(day)
        if mps is not None or efforts is not None or full:
            self.at(day, 19, 30)
            self.coach_measures(day, mps=mps, efforts=efforts, full=full)
        if report:
            self.at(day + 1, 8)
            self.athlete_reports(soreness)

    def expect_pending_advance(self, from_phase, to_phase):
        d = Decision.objects.get(plan__injury__athlete_id=self.athlete_pk, status="awaiting_signoff")
        assert (d.from_phase, d.to_phase) == (from_phase, to_phase), d.reasons


def test_one_athlete_from_injury_to_discharge_through_the_pages(live_server, browser, world, mailoutbox, shoot,
                                                                settings):
    # The clock jumps days between steps; a clinician would log in again each morning (the idle timeout).
    settings.CLINICIAN_IDLE_TIMEOUT = datetime.timedelta(days=365)
    base = live_server.url
    clock.travel_to(moment(0, 9))
    clinic = browser.new_context(**DESKTOP).new_page()
    tablet = browser.new_context(**TABLET).new_page()
    phone = browser.new_context(**PHONE).new_page()
    j = Journey(base, clinic, tablet, phone)

    # --- day 0: the clinician adds the athlete, the injury, the baseline assessment and starts the plan ------
    login(clinic, base, "clin")
    clinic.get_by_role("link", name="Add an athlete").first.click()
    clinic.get_by_label("First name").fill("Noa")
    clinic.get_by_label("Last name").fill("Sprint")
    clinic.get_by_label("Team").select_option(label="Firsts")
    clinic.get_by_label("Maximal velocity (m/s)").fill("9.40")
    clinic.get_by_label("Athlete's email (phone login)").fill("noa@example.org")
    clinic.get_by_role("button", name="Add athlete").click()
    expect(clinic.get_by_role("heading", name="Record an injury for Noa Sprint")).to_be_visible()
    clinic.get_by_label("Side").select_option("left")
    clinic.get_by_label("Muscle").select_option("bflh")
    clinic.get_by_label("BAMIC grade").fill("1")
    clinic.get_by_label("BAMIC site").select_option("a")
    clinic.get_by_label("Date of injury").fill(INJURY.isoformat())
    clinic.get_by_role("button", name="Record injury").click()
    expect(clinic.get_by_role("heading", name="Assessment: Noa Sprint")).to_be_visible()
    clinic.get_by_label("Pain on palpation (0-10)").fill("2")
    clinic.get_by_label("Strength method").select_option("iso_90_90")
    clinic.get_by_label("Strength, injured leg (N)").fill("240")
    clinic.get_by_label("Strength, uninjured leg (N)").fill("300")
    clinic.get_by_role("button", name="Save assessment").click()
    clinic.get_by_role("link", name="Start a plan").click()
    clinic.get_by_role("button", name="Start the plan").click()
    expect(clinic.get_by_role("heading", name=re.compile("Plan: P0"))).to_be_visible()
    j.athlete_pk = int(re.search(r"/clinic/athletes/(\d+)/", clinic.url).group(1))
    j.phase_is(0)

    # --- the athlete sets a password from the invite and logs in on the phone ---------------------------
    invite = next(m for m in mailoutbox if m.to == ["noa@example.org"])
    phone.goto(base + re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", invite.body).group(1))
    phone.get_by_label("New password").fill("Hamstring-2026-ok!")
    phone.get_by_label("Again").fill("Hamstring-2026-ok!")
    phone.get_by_role("button", name="Set password").click()
    login(phone, base, "noa@example.org", "Hamstring-2026-ok!")
    expect(phone.get_by_text("Phase 0 of P0-P6")).to_be_visible()
    login(tablet, base, "coach")

    # --- P0 ---------------------------------------------------------------------------------------------
    j.session(0, soreness=1)
    assert j.latest().decided_by_rule == "exit.min_sessions"
    j.session(2, soreness=1)
    j.expect_pending_advance(0, 1)
    j.at(3, 9)
    j.clinician_signs_off(1)
    j.clinician_assesses(252)  # LSI 84: the P1 stint's strength test (evidence belongs to the stint it is entered in)

    # --- P1: a missing next-morning report holds -----------------------------------------------------------
    j.session(4, rate=True)
    j.phase_is(1)
    j.session(6, rate=True, report=False)  # the athlete forgets the report
    j.at(7, 12)
    phone.goto(f"{base}/me/")
    expect(phone.get_by_role("link", name="Report soreness")).to_be_visible()  # it is still asked for
    j.session(8, rate=True)
    held = j.latest()
    assert held.outcome == "hold" and held.decided_by_rule == "exit.max_soreness", held.decided_by_rule
    assert "not reported" in next(r["message"] for r in held.reasons if r["code"] == "exit.max_soreness")
    j.phase_is(1)
    j.at(10, 9)
    j.clinician_assesses(264)  # LSI 88
    j.session(10, rate=True)
    j.expect_pending_advance(1, 2)
    j.at(11, 9)
    j.clinician_signs_off(2)
    j.clinician_assesses(264)  # LSI 88 for P2

    # --- P2 ---------------------------------------------------------------------------------------------
    j.session(12, rate=True)
    j.session(14, rate=True)
    j.expect_pending_advance(2, 3)
    j.at(15, 9)
    j.clinician_signs_off(3)
    j.clinician_assesses(276)  # LSI 92 for P3

    # --- P3, and a regression: pain 5 goes back one phase, once --------------------------------------------
    j.session(16, rate=True, mps="8.20")  # 87.2 % of Vmax
    j.phase_is(3)
    j.at(18, 18)
    j.athlete_logs(pain=5)
    j.phase_is(2)
    regressed = j.latest()
    assert (regressed.outcome, regressed.from_phase, regressed.to_phase) == ("regress", 3, 2)
    j.at(19, 8)
    j.athlete_reports(2)
    j.phase_is(2)  # the report for the session that regressed does not regress again
    j.clinician_page()
    expect(clinic.get_by_text(re.compile("pain 5 during the session", re.I)).first).to_be_visible()

    # --- the recovery: P2 again, then P3 ---------------------------------------------------------------------
    j.session(20, rate=True)
    j.at(22, 9)
    j.clinician_assesses(279)  # LSI 93
    j.session(22, rate=True)
    j.expect_pending_advance(2, 3)
    j.at(23, 9)
    j.clinician_signs_off(3)
    j.clinician_assesses(279)  # LSI 93 for P3 again
    j.session(24, rate=True, mps="8.30")
    j.session(26, rate=True, mps="8.40")  # latest 89.4 %
    j.expect_pending_advance(3, 4)
    j.at(27, 9)
    j.clinician_signs_off(4)

    # --- P4: maximal velocity, efforts at >= 95 %, an H-test of 0 --------------------------------------------
    j.session(28, rate=True, mps="9.00", efforts=2)
    j.at(29, 10)
    j.clinician_assesses(285, h_test=0)  # LSI 95
    j.session(30, rate=True, mps="9.10", efforts=2)
    j.expect_pending_advance(4, 5)
    j.at(31, 9)
    j.clinician_signs_off(5)

    # --- P5: full sessions, race pace, the H-test, then return-to-sport clearance ------------------------------
    j.session(32, rate=True, mps="9.15", full=True)
    j.at(33, 10)
    j.clinician_assesses(288, h_test=0)  # LSI 96
    j.session(34, rate=True, full=True)
    j.expect_pending_advance(5, 6)
    j.at(35, 9)
    j.clinician_page()
    expect(clinic.get_by_text("A clinician must sign off before the plan leaves Phase 5").first).to_be_visible()
    shoot(clinic, "journey-clearance")
    j.clinician_signs_off(6)
    assert j.plan.clearance_date == START + datetime.timedelta(days=35)

    # --- P6: surveillance, four sessions, 28 days after clearance, then discharge ------------------------------
    j.session(42, mps="9.05")
    j.session(49)
    j.session(56)
    j.at(62, 10)
    j.clinician_assesses(290)  # LSI 96.7, within 7 days of the discharge
    j.session(63)
    j.expect_pending_advance(6, None)
    j.at(64, 9)
    j.clinician_signs_off(None)
    plan = j.plan
    assert plan.status == "completed" and plan.completed_on == START + datetime.timedelta(days=64)
    j.clinician_page()
    expect(clinic.get_by_role("heading", name=re.compile("Plan: discharged"))).to_be_visible()
    expect(clinic.get_by_text("Discharged", exact=True)).to_be_visible()
    shoot(clinic, "journey-discharged")

    # The record: every phase reached, one regression, the clearance and the discharge signed off.
    decisions = Decision.objects.filter(plan=plan)
    assert decisions.filter(outcome="regress").count() == 1
    assert decisions.filter(status="signed_off").count() == 8  # P0 -> P6 (P2 -> P3 twice) and the discharge
    reached = {d.to_phase for d in decisions.filter(status="signed_off")}
    assert reached == {1, 2, 3, 4, 5, 6, None}
    assert (plan.clearance_date - plan.start_date).days == 35 and (plan.completed_on - plan.start_date).days == 64
    assert Decimal(plan.injury.athlete.vmax_mps) == Decimal("9.40")
