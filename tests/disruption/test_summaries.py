from cse import summaries
from cse.permissions import AgencyReader
from tests.disruption.conftest import serve, share


def test_a_served_notice_appears_in_both_records_summaries_by_reference(cawn, officer):
    serve(officer, cawn)
    for subject, other in ((cawn.person, cawn.child), (cawn.child, cawn.person)):
        found = [
            s
            for s in summaries.for_subject(officer, subject)
            if s.title == "CAWN in force"
        ]
        assert len(found) == 1
        line = found[0].lines[0]
        assert cawn.reference in line and other.reference in line
        assert "Testchild" not in line and "Testperson" not in line


def test_a_notice_not_yet_served_is_not_in_force(cawn, officer):
    assert not [
        s
        for s in summaries.for_subject(officer, cawn.person)
        if s.title == "CAWN in force"
    ]


def test_the_other_party_is_named_only_to_a_reader_who_may_see_it(
    cawn, officer, alice, erin, agency_c
):
    serve(officer, cawn)
    share(alice, cawn.person, agency_c)  # the person, not the child
    for reader in (erin, AgencyReader(agency_c)):
        found = [
            s
            for s in summaries.for_subject(reader, cawn.person)
            if s.title == "CAWN in force"
        ]
        line = found[0].lines[0]
        assert cawn.child.reference not in line
        assert summaries.NOT_SHARED in line


def test_nothing_is_summarised_for_a_reader_who_may_not_see_the_record(
    cawn, officer, erin, agency_c
):
    serve(officer, cawn)
    assert summaries.for_subject(erin, cawn.child) == []
    assert summaries.for_subject(AgencyReader(agency_c), cawn.person) == []
