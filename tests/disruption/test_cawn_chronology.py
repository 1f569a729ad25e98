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
