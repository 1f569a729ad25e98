"""The upload page for administrators, over the same all-or-nothing import."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cse.models import Child

HEADER = "local_reference,forename,surname,known_as,date_of_birth,gender,ethnicity,looked_after,responsible_authority\n"
GOOD = "LR-1,Testchild,Uploadton,,2012-01-01,female,WBRI,no,\n"
BAD = "LR-2,Testchild,Badton,,2012-13-01,female,WBRI,no,\n"


def upload(client, agency, text):
    return client.post(
        reverse("cse:import_children"),
        {
            "agency": agency.pk,
            "file": SimpleUploadedFile("children.csv", text.encode(), "text/csv"),
        },
    )


def test_an_administrator_imports_a_good_file(client, sam, agency_a):
    client.force_login(sam)
    response = upload(client, agency_a, HEADER + GOOD)
    assert response.status_code == 302
    child = Child.objects.get()
    assert child.owner_agency == agency_a and child.local_reference == "LR-1"
    page = client.get(response["Location"]).content.decode()
    assert "Imported 1 children; 0 already present (unchanged)" in page


def test_a_bad_row_lists_the_problem_and_imports_nothing(client, sam, agency_a):
    client.force_login(sam)
    response = upload(client, agency_a, HEADER + GOOD + BAD)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "nothing was imported" in html
    assert '<td class="govuk-table__cell">3</td>' in html and "date_of_birth" in html
    assert not Child.objects.exists()


def test_only_administrators_may_import(client, alice, agency_a):
    client.force_login(alice)
    assert upload(client, agency_a, HEADER + GOOD).status_code == 403
    assert not Child.objects.exists()
