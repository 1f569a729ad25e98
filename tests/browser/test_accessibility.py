"""axe-core checks (WCAG 2.0, 2.1 and 2.2, levels A and AA) of the main pages,
each as a real user sees it after signing in.

axe-core comes from node_modules (`npm ci`). A violation fails the test with
the rule, the elements and axe's advice.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cse import services
from cse.models import CategoryAssessment, ChildFlag, Link, SharingDecision
from tests.factories import make_child, make_location, make_person

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def page(new_page):
    # The page gets axe as an injected script: allow it whatever the site's CSP says.
    return new_page(bypass_csp=True)


# axe's best-practice rules the newer pages are also held to: headings in order, one
# h1, tables whose captions and header cells mean something, distinct landmarks.
# ("region" is left out: GOV.UK places the back link before <main> on purpose.)
STRUCTURE_RULES = [
    "heading-order",
    "empty-heading",
    "page-has-heading-one",
    "empty-table-header",
    "table-duplicate-name",
    "landmark-unique",
    "landmark-one-main",
]


def check_accessibility(page: Page, what: str, rules: list[str] | None = None) -> None:
    """Run axe on the page as it is now (WCAG 2.2 A and AA, and the named rules);
    fail listing every violation."""
    if not AXE.exists():
        pytest.fail(
            f"{AXE} is missing: run `npm ci` to install axe-core (a devDependency)."
        )
    page.add_script_tag(path=str(AXE))
    violations = _run_axe(page, {"type": "tag", "values": WCAG_TAGS})
    if rules:
        violations += _run_axe(page, {"type": "rule", "values": rules})
    assert not violations, (
        f"axe found accessibility problems on {what} ({page.url}):\n"
        + format_violations(violations)
    )


def _run_axe(page: Page, run_only: dict) -> list[dict]:
    return page.evaluate(
        """async (runOnly) => {
            const results = await axe.run(document, {runOnly});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({
                    target: n.target.join(" "), html: n.html, summary: n.failureSummary,
                })),
            }));
        }""",
        run_only,
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}")
            lines.append(f"      {node['html'][:300]}")
            for summary_line in (node["summary"] or "").splitlines():
                lines.append(f"      {summary_line}")
    return "\n".join(lines)


@pytest.fixture
def casework(alice, dave, agency_b, child):
    """alice's child with something in every section: a category, a flag, a warning,
    links to a person and a location, and a share with dave's agency."""
    today = datetime.date.today()
    person = make_person(
        alice, forename="Testperson", surname="Exampleby", nickname="Tizzy"
    )
    location = make_location(alice)
    services.create_link(
        by=alice,
        from_subject=child,
        to_subject=person,
        kind=Link.Kind.SEEN_WITH,
        source=Link.Source.OBSERVATION,
        confidence=Link.Confidence.PROBABLE,
        first_seen=today - datetime.timedelta(days=30),
        last_seen=today,
        notes="Seen together twice.",
    )
    services.create_link(
        by=alice,
        from_subject=child,
        to_subject=location,
        kind=Link.Kind.FREQUENTS,
        source=Link.Source.DISCLOSURE,
        confidence=Link.Confidence.CONFIRMED,
    )
    services.record_category(
        by=alice,
        child=child,
        category=2,
        assessed_on=today,
        source=CategoryAssessment.Source.PROFESSIONAL,
        rationale="Older associates; missing overnight.",
    )
    services.set_flag(
        by=alice,
        child=child,
        kind=ChildFlag.Kind.MISSING_PATTERN,
        reason="Missing three times.",
        set_on=today,
    )
    services.add_warning(
        by=alice,
        subject=child,
        text="Do not contact the family home.",
        review_on=today + datetime.timedelta(days=90),
    )
    services.record_sharing_decision(
        by=alice,
        subject=child,
        agency=agency_b,
        decision=SharingDecision.Decision.SHARE,
        purpose="Joint investigation.",
        consent=SharingDecision.Consent.NOT_SOUGHT,
        consent_reason="Seeking consent could increase the risk.",
    )
    return {"child": child, "person": person, "location": location}


@pytest.mark.browser
def test_the_check_finds_violations(page):
    """The harness itself: a page with known faults must fail the check."""
    page.set_content(
        '<html><body><main><img src="x.png"><input type="text"></main></body></html>'
    )
    with pytest.raises(AssertionError) as failure:
        check_accessibility(page, "a deliberately faulty page")
    message = str(failure.value)
    assert "image-alt" in message
    assert "html-has-lang" in message


# --- signed out ------------------------------------------------------------------


@pytest.mark.browser
def test_login_page(page):
    page.goto("/login/")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    check_accessibility(page, "the sign-in page")


@pytest.mark.browser
def test_login_page_with_errors(page, alice):
    page.goto("/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    check_accessibility(page, "the sign-in page with errors")


@pytest.mark.browser
def test_login_page_with_field_errors(page):
    page.goto("/login/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    check_accessibility(page, "the sign-in page with empty fields")


# --- home pages --------------------------------------------------------------------


@pytest.mark.browser
def test_home_practitioner(page, sign_in, alice, casework):
    sign_in(page, alice)
    check_accessibility(page, "alice's home page")


@pytest.mark.browser
def test_home_partnership_manager(page, sign_in, pam, casework):
    sign_in(page, pam)
    check_accessibility(page, "pam's home page")


@pytest.mark.browser
def test_home_system_administrator(page, sign_in, sam, casework):
    sign_in(page, sam)
    check_accessibility(page, "sam's home page")


# --- records -------------------------------------------------------------------------


@pytest.mark.browser
def test_child_list(page, sign_in, alice, casework):
    make_child(alice, forename="Testchild", surname="Listington")
    sign_in(page, alice)
    page.goto("/children/")
    expect(page.get_by_role("table", name="Children and young people")).to_be_visible()
    check_accessibility(page, "the child list")


@pytest.mark.browser
def test_child_detail(page, sign_in, alice, casework):
    sign_in(page, alice)
    page.goto(casework["child"].get_absolute_url())
    expect(page.get_by_role("table", name="Links")).to_contain_text(
        "Testperson Exampleby"
    )
    expect(page.get_by_text("Repeat missing pattern")).to_be_visible()
    expect(page.get_by_text("Category 2", exact=False).first).to_be_visible()
    check_accessibility(page, "a child's page with links, flags and a category")


@pytest.mark.browser
def test_child_create_form_with_errors(page, sign_in, alice):
    sign_in(page, alice)
    page.goto("/children/new/")
    page.get_by_role("button", name="Save record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    check_accessibility(page, "the add-a-child form with errors")


@pytest.mark.browser
def test_child_create_form_with_possible_matches(page, sign_in, alice, casework):
    sign_in(page, alice)
    page.goto("/children/new/")
    page.get_by_label("Forename").fill("Testchild")
    page.get_by_label("Surname").fill("Sampleton")
    date_of_birth = page.get_by_role("group", name="Date of birth")
    date_of_birth.get_by_label("Day").fill("1")
    date_of_birth.get_by_label("Month").fill("1")
    date_of_birth.get_by_label("Year").fill("2011")
    page.get_by_role("button", name="Save record").click()
    expect(page.get_by_role("region", name="Possible existing records")).to_be_visible()
    check_accessibility(page, "the add-a-child form showing possible existing records")


@pytest.mark.browser
def test_search_results(page, sign_in, alice, casework):
    sign_in(page, alice)
    page.goto("/search/")
    page.get_by_label("Search", exact=True).fill("Sampleton")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("link", name="Testchild Sampleton")).to_be_visible()
    check_accessibility(page, "search results")


@pytest.mark.browser
def test_sharing_page(page, sign_in, alice, casework):
    sign_in(page, alice)
    page.goto(f"/records/{casework['child'].pk}/sharing/")
    expect(page.get_by_role("table", name="Agencies with access")).to_contain_text(
        "Testshire Police"
    )
    check_accessibility(page, "the sharing page")


@pytest.mark.browser
def test_link_form(page, sign_in, alice, casework):
    sign_in(page, alice)
    # Open the location first, so the form offers it among recently opened records.
    page.goto(casework["location"].get_absolute_url())
    page.goto(f"/records/{casework['child'].pk}/links/new/")
    expect(page.get_by_role("heading", level=1, name="Add a link")).to_be_visible()
    check_accessibility(page, "the link form")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    check_accessibility(page, "the link form with errors")


@pytest.mark.browser
def test_audit_trail(page, sign_in, sam, casework):
    sign_in(page, sam)
    page.goto("/audit/")
    expect(page.get_by_role("table", name="Audit events")).to_be_visible()
    check_accessibility(page, "the audit trail")


@pytest.mark.browser
def test_access_log(page, sign_in, carol, dave, casework):
    sign_in(page, carol)
    page.goto(f"/records/{casework['child'].pk}/access-log/")
    expect(page.get_by_role("table", name="Audit events")).to_contain_text("alice")
    check_accessibility(page, "a record's access log")


# --- reports, delivery plans, break-glass, sign-in security --------------------------


@pytest.mark.browser
def test_report_pages_with_charts(page, sign_in, alice, pam):
    """The dashboard (an SVG chart per measure), the problem profile, the MASE
    snapshot and the outcomes report, on data with something in every measure."""
    from tests.reports.helpers import build

    build(alice)
    sign_in(page, pam)
    page.goto(
        "/reports/dashboard/?area=testshire&from_year=2026&from_quarter=1"
        "&to_year=2026&to_quarter=2"
    )
    expect(page.get_by_role("heading", level=1, name="CSE dashboard")).to_be_visible()
    expect(page.locator("main svg").first).to_be_visible()
    check_accessibility(page, "the dashboard with charts", STRUCTURE_RULES)
    page.goto("/reports/profile/?area=testshire&year=2026&quarter=2")
    expect(page.get_by_role("heading", level=1, name="Problem profile")).to_be_visible()
    check_accessibility(page, "the problem profile", STRUCTURE_RULES)
    page.goto("/reports/mase/")
    expect(page.get_by_role("heading", name="MASE data snapshot")).to_be_visible()
    check_accessibility(page, "the MASE data snapshot", STRUCTURE_RULES)
    page.goto("/reports/outcomes/")
    expect(
        page.get_by_role("heading", name="Outcome measures: distance travelled")
    ).to_be_visible()
    check_accessibility(page, "the outcomes report", STRUCTURE_RULES)


@pytest.mark.browser
def test_child_outcomes_tab_with_a_baseline_and_a_review(page, sign_in, alice, child):
    from reports import outcomes

    today = datetime.date.today()
    for occasion, day, values in (
        ("plan_start", today - datetime.timedelta(days=90), {"self_esteem": 2}),
        ("review", today, {"self_esteem": 4, "stable_accommodation": 1}),
    ):
        outcomes.record_assessment(
            by=alice, child=child, occasion=occasion, assessed_on=day, values=values
        )
    sign_in(page, alice)
    page.goto(f"/reports/children/{child.pk}/outcomes/")
    expect(page.get_by_role("heading", name="Outcome measures")).to_be_visible()
    check_accessibility(
        page, "a child's Outcomes tab with two assessments", STRUCTURE_RULES
    )


@pytest.mark.browser
def test_delivery_plan_pages(page, sign_in, pam, dave):
    from reports import delivery_plan as plans
    from tests.reports.delivery_helpers import add_action, make_plan

    plan = make_plan(pam)
    action = add_action(pam, plan, responsible=dave, partners=[dave.agency])
    plans.add_evidence(by=pam, action=action, text="Screenings from two agencies")
    sign_in(page, pam)
    page.goto("/reports/delivery/")
    expect(
        page.get_by_role("heading", level=1, name="CSE delivery plans")
    ).to_be_visible()
    check_accessibility(page, "the delivery plan index", STRUCTURE_RULES)
    page.goto(f"/reports/delivery/{plan.pk}/")
    expect(page.get_by_role("heading", level=1, name=plan.title)).to_be_visible()
    check_accessibility(page, "a delivery plan", STRUCTURE_RULES)
    page.goto(f"/reports/delivery/actions/{action.pk}/")
    expect(page.get_by_role("heading", level=1, name="Action")).to_be_visible()
    check_accessibility(page, "a delivery plan action", STRUCTURE_RULES)
    page.goto(f"/reports/delivery/actions/{action.pk}/rating/")
    page.get_by_role("button", name="Save ratings").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    check_accessibility(page, "the rating form with errors", STRUCTURE_RULES)


@pytest.mark.browser
def test_break_glass_pages(new_page, sign_in, alice, carol, erin):
    from cse import break_glass
    from cse.models import BreakGlass

    child = make_child(alice, forename="Testchild", surname="Glassmere")
    page = new_page(bypass_csp=True)
    sign_in(page, erin)
    page.goto("/break-glass/")
    check_accessibility(page, "the break-glass start page", STRUCTURE_RULES)
    page.get_by_label("Record reference").fill(child.reference)
    page.get_by_role("button", name="Open the record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    check_accessibility(
        page, "the break-glass request page with errors", STRUCTURE_RULES
    )
    break_glass.open_break_glass(
        by=erin,
        subject=child,
        reason_category=BreakGlass.Reason.values[0],
        reason="Out-of-hours team rang about the child",
    )
    reviewer = new_page(bypass_csp=True)
    sign_in(reviewer, carol)
    reviewer.goto("/break-glass/reviews/")
    expect(reviewer.get_by_role("heading", name="Awaiting review")).to_be_visible()
    check_accessibility(reviewer, "the break-glass review queue", STRUCTURE_RULES)
    reviewer.get_by_role("link", name="BG-").first.click()
    check_accessibility(reviewer, "a break-glass review", STRUCTURE_RULES)


@pytest.mark.browser
def test_two_factor_and_account_pages(new_page, bob, alice):
    """First sign-in (setting up an authenticator: the QR code, then the recovery
    codes), a later sign-in's code page, the account security and recovery code
    pages, the identity check before a sensitive action, and the password reset
    request."""
    from django_otp.oath import totp

    from cse import two_factor
    from tests.browser.conftest import PASSWORD, ensure_authenticator, enter_code

    page = new_page(bypass_csp=True)
    page.goto("/login/")
    page.get_by_label("Username").fill(bob.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("heading", level=1, name="Set up an authenticator app")
    ).to_be_visible()
    expect(page.get_by_role("img").first).to_be_visible()
    check_accessibility(
        page, "the authenticator set-up page with its QR code", STRUCTURE_RULES
    )
    device = two_factor.pending_authenticator(bob)
    code = totp(device.bin_key, device.step, device.t0, device.digits)
    page.get_by_label("Code from your authenticator app").fill(
        f"{code:0{device.digits}d}"
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main")).to_contain_text("recovery codes")
    check_accessibility(page, "the new recovery codes", STRUCTURE_RULES)

    page = new_page(bypass_csp=True)
    page.goto("/login/")
    page.get_by_label("Username").fill(alice.username)
    page.get_by_label("Password").fill(PASSWORD)
    ensure_authenticator(alice)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Enter your code")).to_be_visible()
    check_accessibility(page, "the second-factor code page", STRUCTURE_RULES)
    enter_code(page, alice)
    page.goto("/account/security/")
    expect(
        page.get_by_role("heading", level=1, name="Sign-in security")
    ).to_be_visible()
    check_accessibility(page, "the account security page", STRUCTURE_RULES)
    page.goto("/account/recovery-codes/")
    expect(page.get_by_role("heading", level=1, name="Recovery codes")).to_be_visible()
    check_accessibility(page, "the recovery codes page", STRUCTURE_RULES)
    page.goto("/confirm-identity/?next=/account/security/")
    expect(
        page.get_by_role("heading", level=1, name="Confirm it is you")
    ).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    check_accessibility(page, "the identity check with errors", STRUCTURE_RULES)

    signed_out = new_page(bypass_csp=True)
    signed_out.goto("/password/reset/")
    expect(
        signed_out.get_by_role("heading", level=1, name="Reset your password")
    ).to_be_visible()
    check_accessibility(signed_out, "the password reset request", STRUCTURE_RULES)
    signed_out.get_by_role("button", name="Send the link").click()
    expect(signed_out.locator(".govuk-error-summary")).to_be_visible()
    check_accessibility(
        signed_out, "the password reset request with errors", STRUCTURE_RULES
    )


@pytest.mark.browser
def test_intelligence_log_export_page(page, sign_in, sam):
    sign_in(page, sam)
    page.goto("/disruption/intelligence-log/")
    page.get_by_role("button", name="Download CSV").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    check_accessibility(
        page, "the intelligence log export with errors", STRUCTURE_RULES
    )
