import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cse.models import AuditEvent, Child
from disruption.models import Cawn
from tests import uploads
from tests.disruption.conftest import TODAY, issue, serve, share, years_ago
from tests.factories import make_child
from tests.page_forms import read_version

PDF = uploads.plain_pdf()


def start_data(child, **extra):
    data = {
        "child": child.pk,
        "issue_date_0": TODAY.day,
        "issue_date_1": TODAY.month,
        "issue_date_2": TODAY.year,
        "name_known": "real",
        "recipient_name": "Testperson Exampleby",
        "recipient_address": "1 Sample Street",
    }
    data.update(extra)
    return data


def test_an_officer_prepares_a_notice_from_the_person_page(
    client, officer, poi, young_child
):
    client.force_login(officer)
    url = reverse("disruption:cawn_create", args=[poi.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Testchild Sampleton" in page.content.decode()
    response = client.post(url, start_data(young_child))
    cawn = Cawn.objects.get()
    assert response["Location"] == cawn.get_absolute_url()
    assert cawn.variant == "under_16"


def test_a_16_year_old_not_in_care_gets_the_reason_and_nothing_is_created(
    client, officer, poi, alice
):
    child = make_child(alice, date_of_birth=years_ago(16, 3))
    share(alice, child, officer.agency)
    client.force_login(officer)
    data = start_data(child)
    data.pop("child")
    data["child_reference"] = child.reference
    response = client.post(reverse("disruption:cawn_create", args=[poi.pk]), data)
    assert response.status_code == 200
    assert "No notice can be issued" in response.content.decode()
    assert "only while they are in care" in response.content.decode()
    assert not Cawn.objects.exists()


def test_an_unknown_date_of_birth_is_explained(client, officer, poi, alice):
    child = make_child(alice, date_of_birth=None, estimated_age=14)
    share(alice, child, officer.agency)
    client.force_login(officer)
    data = start_data(child, child_reference=child.reference)
    data.pop("child")
    response = client.post(reverse("disruption:cawn_create", args=[poi.pk]), data)
    assert "date of birth is not known" in response.content.decode()
    assert not Cawn.objects.exists()


def test_a_social_worker_is_told_only_police_may_issue_for_a_14_year_old(
    client, alice, poi, young_child
):
    client.force_login(alice)
    response = client.post(
        reverse("disruption:cawn_create", args=[poi.pk]), start_data(young_child)
    )
    assert "Only the police may issue this notice" in response.content.decode()
    assert not Cawn.objects.exists()


def test_the_pdf_is_an_audited_attachment(client, cawn, alice):
    client.force_login(alice)
    response = client.get(reverse("disruption:cawn_pdf", args=[cawn.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="{cawn.reference}.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action="print")
    assert event.user == alice and event.object_id == str(cawn.pk)


def served_data(**extra):
    now = timezone.localtime() - datetime.timedelta(minutes=10)
    data = {
        "served_at_0": now.day,
        "served_at_1": now.month,
        "served_at_2": now.year,
        "served_at_3": now.strftime("%H:%M"),
        "photograph_shown": "no",
        "knowledge_verified_by": "He named her school and described her",
        "signature": "signed",
    }
    data.update(extra)
    return data


def test_the_officer_records_service_with_a_signed_scan(client, cawn, officer):
    client.force_login(officer)
    data = served_data(
        signed_copy=SimpleUploadedFile("scan.pdf", PDF, "application/pdf")
    )
    url = reverse("disruption:cawn_serve", args=[cawn.pk])
    response = client.post(url, {**data, **read_version(client, url)})
    assert response.status_code == 302
    cawn.refresh_from_db()
    assert cawn.is_in_force and cawn.signed_copy
    download = client.get(reverse("disruption:cawn_signed_copy", args=[cawn.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF
    child_page = client.get(reverse("cse:child_detail", args=[cawn.child_id]))
    assert "Child abduction warning notice in force" in child_page.content.decode()
    tab = client.get(reverse("disruption:subject_disruption", args=[cawn.person_id]))
    assert "CAWN in force" in tab.content.decode()


def test_a_script_disguised_as_a_pdf_is_refused_on_the_page(client, cawn, officer):
    client.force_login(officer)
    fake = SimpleUploadedFile(
        "scan.pdf", b"<script>alert(1)</script>", "application/pdf"
    )
    url = reverse("disruption:cawn_serve", args=[cawn.pk])
    response = client.post(
        url, {**served_data(signed_copy=fake), **read_version(client, url)}
    )
    assert response.status_code == 200
    assert "must be a PDF, JPG or PNG" in response.content.decode()
    cawn.refresh_from_db()
    assert cawn.status == Cawn.Status.ISSUED


def test_a_colleague_who_may_see_but_not_manage_gets_403(client, cawn, alice, bob):
    for user in (alice, bob):
        client.force_login(user)
        response = client.post(
            reverse("disruption:cawn_withdraw", args=[cawn.pk]), {"reason": "x"}
        )
        assert response.status_code == 403


def test_an_outsider_gets_404(client, cawn, erin):
    client.force_login(erin)
    assert (
        client.post(
            reverse("disruption:cawn_withdraw", args=[cawn.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert client.get(reverse("disruption:cawn_pdf", args=[cawn.pk])).status_code == 404


def test_withdrawal_lifts_the_flag(client, cawn, officer):
    serve(officer, cawn)
    client.force_login(officer)
    url = reverse("disruption:cawn_withdraw", args=[cawn.pk])
    opened = read_version(client, cawn.get_absolute_url(), action=url)
    response = client.post(url, {"reason": "Moved away", **opened})
    assert response.status_code == 302
    cawn.refresh_from_db()
    assert cawn.status == Cawn.Status.WITHDRAWN
    assert not cawn.child.flags.filter(
        kind="cawn_in_force", removed_at__isnull=True
    ).exists()


def test_a_breach_is_recorded_through_the_page(client, cawn, officer):
    serve(officer, cawn)
    client.force_login(officer)
    response = client.post(
        reverse("disruption:cawn_breach_create", args=[cawn.pk]),
        {
            "occurred_on_0": TODAY.day,
            "occurred_on_1": TODAY.month,
            "occurred_on_2": TODAY.year,
            "details": "Found in his flat",
            "outcome": "arrest",
        },
    )
    assert response.status_code == 302
    assert cawn.breaches.get().outcome == "arrest"


def test_the_register_filters_by_area_and_period(client, cawn, officer, alice, poi):
    serve(officer, cawn)
    client.force_login(officer)
    url = reverse("disruption:cawn_register")
    page = client.get(url, {"area": cawn.local_area.slug, "start": TODAY.isoformat()})
    assert cawn.reference in page.content.decode()
    later = (TODAY + datetime.timedelta(days=1)).isoformat()
    assert cawn.reference not in client.get(url, {"start": later}).content.decode()
    assert cawn.reference not in client.get(url, {"area": "nowhere"}).content.decode()


def test_the_register_makes_the_same_queries_for_one_notice_or_many(
    client, cawn, officer, poi, alice, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(officer)
    url = reverse("disruption:cawn_register")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(5):
        child = make_child(
            alice,
            date_of_birth=years_ago(12),
            legal_status=Child.LegalStatus.NOT_LOOKED_AFTER,
        )
        share(alice, child, officer.agency)
        issue(officer, poi, child)
    with CaptureQueriesContext(connection) as six:
        client.get(url)
    assert len(six) == len(one)
