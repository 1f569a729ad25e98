import datetime
import io

from pypdf import PdfReader

from cse import services as core
from cse.models import Link
from meetings import services
from meetings.pdf import render_actions_pdf, render_agenda_pdf
from tests.factories import make_child, make_location, make_person


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_agenda_has_the_statement_contents_and_items_in_order(meeting, bob, alice):
    first = make_child(alice, forename="Testchild", surname="Firstly")
    second = make_child(alice, forename="Testchild", surname="Secondly")
    person = make_person(alice)
    location = make_location(alice)
    for subject in (second, first, person, location):
        services._append_item(meeting=meeting, subject=subject, by=bob)
    core.create_link(
        by=alice,
        from_subject=first,
        to_subject=person,
        kind=Link.Kind.SEEN_WITH,
        source=Link.Source.OBSERVATION,
        confidence=Link.Confidence.PROBABLE,
    )
    text = text_of(render_agenda_pdf(meeting, bob))
    assert "OFFICIAL-SENSITIVE" in text
    assert "Page 1 of" in text
    assert "strictly confidential" in text
    assert "Contents" in text
    body = text[text.index("Any other business", text.index("Contents") + 200) :]
    assert body.index("Secondly") < body.index("Firstly") < body.index(person.reference)
    assert body.index(person.reference) < body.index(location.reference)
    assert "Seen with" in body


def test_the_action_document_lists_open_actions_with_owners_dates_and_updates(
    meeting, bob, chris, dave, agency_b
):
    kept = services.add_action(
        by=bob,
        meeting=meeting,
        description="Visit the sample shop",
        assigned_agency=agency_b,
        assigned_to=dave,
        due_on=datetime.date(2030, 3, 14),
    )
    closed = services.add_action(
        by=bob,
        meeting=meeting,
        description="Closed thing",
        assigned_agency=agency_b,
        due_on=datetime.date(2030, 3, 1),
    )
    services.add_action_update(by=dave, action=kept, text="Shop visited at night")
    services.close_action(by=chris, action=closed, status="completed")
    text = text_of(render_actions_pdf(meeting, bob))
    assert "Visit the sample shop" in text
    assert "Testshire Police, Dave" in text
    assert "14 Mar 2030" in text
    assert "Shop visited at night" in text
    assert "Closed thing" not in text


def test_the_agenda_for_an_agency_makes_a_bounded_number_of_queries_per_item(
    meeting, bob, alice, agency_b
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cse.permissions import AgencyReader
    from meetings.pdf import agenda_context

    reader = AgencyReader(agency_b)

    def queries_for(count: int) -> int:
        for _ in range(count):
            services._append_item(meeting=meeting, subject=make_child(alice), by=bob)
        services.circulate_meeting(by=bob, meeting=meeting)  # shares the new ones
        with CaptureQueriesContext(connection) as captured:
            agenda_context(meeting, reader)
        return len(captured)

    few = queries_for(2)
    many = queries_for(4)  # 6 items in all, 4 more than before
    assert few > 10  # the shared items were summarised
    assert many - few <= 4 * 10
