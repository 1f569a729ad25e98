"""A notice's entries on the child's and the person's chronologies name the other
party only to a reader who may see it."""

from cse import chronology
from cse.models import ChronologyEntry
from tests.disruption.conftest import issue, serve, share

NOT_SHARED = "a record not shared with your agency"


def test_the_childs_chronology_names_the_person_only_to_those_who_see_them(
    alice, officer, erin, agency_c, poi, young_child
):
    share(alice, young_child, agency_c)  # erin sees the child, not the person
    cawn = serve(officer, issue(officer, poi, young_child))

    def titles(reader, subject):
        return [
            line.title
            for line in chronology.chronology_for(reader, subject)
            if line.kind == "cawn"
        ]

    for_erin = titles(erin, young_child)
    assert for_erin and all(NOT_SHARED in title for title in for_erin)
    assert not any(poi.reference in title for title in for_erin)
    assert (
        f"Child abduction warning notice {cawn.reference} served, concerning {poi.reference}"
        in titles(officer, young_child)
    )
    assert all(young_child.reference in title for title in titles(officer, poi))
    for entry in ChronologyEntry.objects.filter(kind="cawn"):
        assert entry.mentions_id in {poi.pk, young_child.pk}
        assert poi.reference not in entry.title


def test_the_notice_flag_on_the_child_does_not_name_the_person(
    alice, officer, erin, agency_c, poi, young_child, client
):
    """Everyone who sees the child reads its flags and their chronology line; the
    person may be a record their agency does not hold."""
    share(alice, young_child, agency_c)
    cawn = serve(officer, issue(officer, poi, young_child))
    flag = young_child.flags.get(kind="cawn_in_force")
    assert flag.reason == f"Child abduction warning notice {cawn.reference} served."
    client.force_login(erin)
    for url in (
        f"/children/{young_child.pk}/",
        f"/children/{young_child.pk}/chronology/",
    ):
        page = client.get(url).content.decode()
        assert cawn.reference in page
        assert poi.reference not in page
