"""The screening form: save a draft, resume, validate with an error summary, submit."""

from __future__ import annotations

from django.urls import reverse

from cse.concurrency import VERSION_FIELD
from cse.models import Referral
from screening.forms import ScreeningForm
from screening.models import Screening


def form_data(screening, **extra) -> dict:
    data = {
        "child__name": "Testchild Sampleton",
        "referrer__name": "Alice Example",
        "referrer__agency": "Testshire Children's Services",
        "reason__reason": "Concerns raised by school",
        "significant__s1": ["current"],
        "significant__s2": ["current", "prior"],
        "risk": ["r1", "r4"],
        "vulnerability": ["v2"],
        "category": "2",
        "rationale": "Seen getting into cars with unknown adults",
        "action": "submit",
        # The version the form was opened at, as the page gives it.
        VERSION_FIELD: ScreeningForm(
            screening=screening, user=screening.author
        ).fresh_version(),
    }
    data.update(extra)
    return data


def test_a_draft_is_saved_and_resumed(client, alice, draft):
    client.force_login(alice)
    url = reverse("screening:edit", args=[draft.pk])
    response = client.post(url, form_data(draft, action="save", rationale=""))
    assert response.status_code == 302 and response["Location"] == url
    draft.refresh_from_db()
    assert draft.is_draft
    assert draft.answers["significant"]["s2"] == ["current", "prior"]
    assert draft.answers["risk"] == ["r1", "r4"]
    page = client.get(url).content.decode()
    assert "Action is required under LSCB procedures" in page
    assert 'value="r4" checked' in page or "checked" in page


def test_a_missing_rationale_shows_the_error_summary(client, alice, draft):
    client.force_login(alice)
    response = client.post(
        reverse("screening:edit", args=[draft.pk]), form_data(draft, rationale="")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Enter the rationale for your professional judgement" in page
    assert 'href="#id_rationale"' in page
    draft.refresh_from_db()
    assert draft.is_draft


def test_submitting_records_the_category_and_shows_the_actions(
    client, alice, carol, child, draft
):
    client.force_login(alice)
    response = client.post(reverse("screening:edit", args=[draft.pk]), form_data(draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Screening.Status.SUBMITTED
    child.refresh_from_db()
    assert child.current_category == 2
    assert Referral.objects.filter(subject=child).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Referral to Children&#x27;s Social Work Services" in page
    assert "Waiting for triage" in page.replace(
        "waiting for triage", "Waiting for triage"
    )


def test_a_submitted_screening_cannot_be_edited(client, alice, submitted):
    client.force_login(alice)
    response = client.post(
        reverse("screening:edit", args=[submitted.pk]), {"action": "save"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("screening:detail", args=[submitted.pk])


def test_a_read_only_colleague_may_not_edit(client, bob, draft):
    client.force_login(bob)
    assert client.get(reverse("screening:edit", args=[draft.pk])).status_code == 403


def test_an_outsider_gets_not_found(client, erin, draft):
    client.force_login(erin)
    assert client.get(reverse("screening:edit", args=[draft.pk])).status_code == 404


def test_the_form_page_makes_a_bounded_number_of_queries(
    client, alice, draft, django_assert_max_num_queries
):
    client.force_login(alice)
    url = reverse("screening:edit", args=[draft.pk])
    client.post(url, form_data(draft, action="save"))
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200


def test_starting_a_screening_from_the_record(client, alice, child, regional):
    client.force_login(alice)
    response = client.post(
        reverse("screening:start", args=[child.pk]), {"definition": regional.pk}
    )
    screening = Screening.objects.get()
    assert response["Location"] == reverse("screening:edit", args=[screening.pk])
    assert screening.definition == regional
