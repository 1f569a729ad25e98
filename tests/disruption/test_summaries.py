from cse import summaries
from tests.disruption.conftest import serve


def test_a_served_notice_appears_in_both_records_summaries_by_reference(cawn, officer):
    serve(officer, cawn)
    for subject, other in ((cawn.person, cawn.child), (cawn.child, cawn.person)):
        found = [
            s for s in summaries.for_subject(subject) if s.title == "CAWN in force"
        ]
        assert len(found) == 1
        line = found[0].lines[0]
        assert cawn.reference in line and other.reference in line
        assert "Testchild" not in line and "Testperson" not in line


def test_a_notice_not_yet_served_is_not_in_force(cawn):
    assert not [
        s for s in summaries.for_subject(cawn.person) if s.title == "CAWN in force"
    ]
