"""A screening draft is started once however often its form is sent."""

from __future__ import annotations

from django.urls import reverse

from screening.models import Screening
from tests.form_tokens import changed, row_counts, said_already_saved, token_on


def test_the_same_start_form_sent_twice_starts_one_draft(
    client_for, alice, child, regional
):
    client = client_for(alice)
    url = reverse("screening:start", args=[child.pk])
    data = {"definition": regional.pk, "submission_token": token_on(client.get(url))}
    first = client.post(url, data)
    draft = Screening.objects.get()
    assert first["Location"] == reverse("screening:edit", args=[draft.pk])
    before = row_counts()
    second = client.post(url, data)
    assert second["Location"] == first["Location"]
    assert said_already_saved(second)
    assert changed(before, row_counts()) == {}
    assert Screening.objects.filter(child=child).count() == 1


def test_correcting_a_screening_twice_from_one_page_makes_one_correction(
    client_for, alice, child, regional
):
    from tests.screening.conftest import submit

    submitted = submit(alice, child, regional)
    client = client_for(alice)
    page = client.get(reverse("screening:detail", args=[submitted.pk]))
    url = reverse("screening:correct", args=[submitted.pk])
    data = {"submission_token": token_on(page, url)}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert said_already_saved(second)
    assert Screening.objects.filter(child=child).count() == 2  # original + 1
