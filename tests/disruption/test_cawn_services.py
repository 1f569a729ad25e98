import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from cse.models import AuditEvent, ChildFlag
from disruption import services
from disruption.cawn_rules import Variant
from disruption.models import Cawn
from tests import uploads
from tests.disruption.conftest import TODAY, issue, serve, share, years_ago
from tests.factories import make_child

PDF = uploads.plain_pdf()
PNG = uploads.png()


def cawn_flags(child):
    return child.flags.filter(
        kind=ChildFlag.Kind.CAWN_IN_FORCE, removed_at__isnull=True
    )


def test_a_police_officer_issues_the_under_16_notice_with_the_areas_details(
    cawn, young_child, area
):
    assert cawn.variant == Variant.UNDER_16 and cawn.cites_section_2
    assert cawn.child_age == 14
    assert cawn.officer_collar_number == "PC 1234"
    assert cawn.officer_station == "Testshire Central"
    assert cawn.department_name == area.children_services_department
    assert "0121 496 0002" in cawn.contact_phones
    assert cawn.status == Cawn.Status.ISSUED
    assert not cawn_flags(young_child).exists()
    assert AuditEvent.objects.filter(object_id=str(cawn.pk), action="create").exists()


def test_nothing_is_created_for_a_16_year_old_not_in_care(officer, poi, alice):
    child = make_child(alice, date_of_birth=years_ago(16, 1))
    share(alice, child, officer.agency)
    with pytest.raises(ValidationError) as error:
        issue(officer, poi, child)
    assert "16" in str(error.value)
    assert not Cawn.objects.exists()


def test_a_social_worker_may_issue_only_for_a_looked_after_16_or_17_year_old(
    alice, poi, looked_after_16, young_child
):
    cawn = issue(alice, poi, looked_after_16)
    assert cawn.variant == Variant.LOOKED_AFTER and not cawn.cites_section_2
    assert cawn.parental_responsibility == cawn.department_name
    with pytest.raises(PermissionDenied):
        issue(alice, poi, young_child)


def test_a_health_practitioner_may_not_issue(erin, agency_c, poi, young_child, alice):
    share(alice, poi, agency_c)
    share(alice, young_child, agency_c)
    with pytest.raises(PermissionDenied):
        issue(erin, poi, young_child)


def test_serving_puts_the_notice_in_force_and_flags_the_child(cawn, officer):
    serve(officer, cawn)
    cawn.refresh_from_db()
    assert cawn.status == Cawn.Status.SERVED
    assert cawn.review_on > TODAY
    assert cawn_flags(cawn.child).count() == 1


def test_two_notices_share_one_flag_which_stays_until_both_end(
    cawn, officer, poi, young_child, alice
):
    from cse.models import PersonOfInterest

    other = PersonOfInterest.objects.get(pk=poi.pk)
    second = issue(officer, other, young_child)
    serve(officer, cawn)
    serve(officer, second)
    assert cawn_flags(young_child).count() == 1
    services.withdraw_cawn(by=officer, cawn=cawn, reason="Person moved away")
    assert cawn_flags(young_child).count() == 1
    services.withdraw_cawn(by=officer, cawn=second, reason="Work complete")
    assert not cawn_flags(young_child).exists()


def test_a_refusal_to_sign_needs_its_reason(cawn, officer):
    with pytest.raises(ValidationError) as error:
        serve(officer, cawn, signature="refused", refusal_reason=" ")
    assert "refusal_reason" in error.value.message_dict


def test_without_a_photograph_the_verification_is_required(cawn, officer):
    with pytest.raises(ValidationError) as error:
        serve(officer, cawn, photograph_shown=False)
    assert "knowledge_verified_by" in error.value.message_dict


def test_a_signed_pdf_copy_is_stored_privately_under_a_server_chosen_name(
    cawn, officer, private_storage
):
    upload = SimpleUploadedFile("../../etc/passwd.pdf", PDF, "application/pdf")
    serve(officer, cawn, signed_copy=upload)
    cawn.refresh_from_db()
    assert cawn.signed_copy.startswith("disruption/cawns/")
    assert "passwd" not in cawn.signed_copy
    assert cawn.signed_copy_type == "application/pdf"
    assert default_storage.exists(cawn.signed_copy)
    assert (private_storage / cawn.signed_copy).exists()


def test_a_png_is_accepted_whatever_its_name(cawn, officer):
    serve(officer, cawn, signed_copy=SimpleUploadedFile("scan.txt", PNG, "text/plain"))
    cawn.refresh_from_db()
    assert cawn.signed_copy.endswith(".png")


def test_a_file_claiming_to_be_a_pdf_is_checked_by_its_content(cawn, officer):
    fake = SimpleUploadedFile(
        "scan.pdf", b"<html><script>x</script>", "application/pdf"
    )
    with pytest.raises(ValidationError) as error:
        serve(officer, cawn, signed_copy=fake)
    assert "PDF, JPG or PNG" in str(error.value)
    cawn.refresh_from_db()
    assert cawn.status == Cawn.Status.ISSUED


def test_a_file_over_the_size_limit_is_refused(cawn, officer, monkeypatch):
    monkeypatch.setattr(services, "MAX_SIGNED_COPY_BYTES", 100)
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * 200, "application/pdf")
    with pytest.raises(ValidationError) as error:
        serve(officer, cawn, signed_copy=big)
    assert "smaller than 100 bytes" in str(error.value)


def test_a_breach_is_recorded_with_its_outcome(cawn, officer):
    serve(officer, cawn)
    breach = services.record_breach(
        by=officer,
        cawn=cawn,
        occurred_on=TODAY,
        details="Found in his car",
        outcome="sro_application",
    )
    assert breach.get_outcome_display() == "Application for a Sexual Risk Order"


def test_a_breach_before_service_is_refused(cawn, officer):
    with pytest.raises(ValidationError):
        services.record_breach(
            by=officer, cawn=cawn, occurred_on=TODAY, details="x", outcome="arrest"
        )


def test_notices_expire_on_the_birthday_and_the_flag_is_lifted_once(cawn, officer):
    serve(officer, cawn)
    assert services.expire_cawns(today=cawn.ends_on - datetime.timedelta(days=1)) == 0
    assert services.expire_cawns(today=cawn.ends_on) == 1
    assert services.expire_cawns(today=cawn.ends_on) == 0
    cawn.refresh_from_db()
    assert cawn.status == Cawn.Status.EXPIRED
    assert not cawn_flags(cawn.child).exists()


def test_the_expiry_task_runs_the_service(cawn, officer):
    from disruption.tasks import expire_cawns

    Cawn.objects.filter(pk=cawn.pk).update(ends_on=TODAY)
    assert expire_cawns.delay().get() == 1
