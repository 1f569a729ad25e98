"""The regional meeting types the product ships with (no local area: the defaults
every area uses until it configures its own). Wording from the source documents:
seed 000 appendices 3, 4 and 7, seed 001 terms of reference, seed 003, seed 004."""

from django.db import migrations

CORE = ["social_care", "police", "health", "education"]
VIRTUAL = ["youth_offending", "housing", "voluntary", "licensing", "community_safety"]

MASE_INITIAL = [
    "Introduction and status of meeting",
    "Apologies",
    "Factual information / details",
    "Reason for convening MAP",
    "Indicators developed",
    "Sexual health concerns",
    "Family awareness / response to risks",
    "Child protection considerations",
    "Potentially involved adults",
    "Risk discussion",
    "Chairs summary (including level of risk)",
    "Decisions and recommendations",
    "Review date",
]
MASE_REVIEW = [
    "Introduction and status of meeting",
    "Apologies",
    "Review of risk assessment",
    "Review of delivery of multi-agency safeguarding and support plan",
    "Analysis of current risk and what needs to happen to manage risk",
    "Revision to multi-agency safeguarding and support plan",
    "Review date",
]
CMOG = [
    "Introductions and apologies",
    "Confirm the CMOG confidentiality statement",
    "Action document: review of actions and updates",
    "Emerging themes, trends and hotspots",
    "Any other business",
    "Date of next meeting",
]
CMOG_CONFIDENTIALITY = (
    "All information discussed at CMOG is strictly confidential and must not be "
    "disclosed to third parties. All documents circulated in connection with CMOG are "
    "to be considered restricted documents and must not be disclosed to third parties. "
    "The disclosure of information outside of CMOG will be deemed to be a breach of the "
    "subject's confidentiality and a breach of the confidentiality of the agencies "
    "involved. It may be considered an offence under the Data Protection Act."
)
MASE_CONFIDENTIALITY = (
    "Information given at this meeting is confidential. Matters discussed here should "
    "only be disclosed to professional colleagues with a real need to know. All "
    "participants will be invited to contribute any information they have. "
    "Information not presented openly at the meeting cannot be considered in assessing "
    "risk. It is important that it is clear from individual contributions what is fact "
    "and what is opinion."
)

TYPES = [
    {
        "slug": "mase-initial",
        "name": "MASE initial meeting",
        "forum": "mase",
        "standard_items": MASE_INITIAL,
        "subject_sections": ["child"],
        "review_interval_months": 3,
        "confidentiality_statement": MASE_CONFIDENTIALITY,
    },
    {
        "slug": "mase-review",
        "name": "MASE review meeting",
        "forum": "mase",
        "standard_items": MASE_REVIEW,
        "subject_sections": ["child"],
        "review_interval_months": 3,
        "confidentiality_statement": MASE_CONFIDENTIALITY,
    },
    {
        "slug": "cmog",
        "name": "CMOG/CEMOG",
        "forum": "cmog",
        "standard_items": CMOG,
        "subject_sections": ["child", "person", "location"],
        "confidentiality_statement": CMOG_CONFIDENTIALITY,
    },
    {
        "slug": "misper",
        "name": "MisPer meeting",
        "forum": "misper",
        "standard_items": [
            "Introductions and apologies",
            "Action document: review of actions and updates",
            "Children missing most often in the period",
            "Return home interviews: completion and themes",
            "Any other business",
        ],
        "subject_sections": ["child"],
    },
    {
        "slug": "perpetrator",
        "name": "Perpetrator case-management forum",
        "forum": "perpetrator",
        "standard_items": [
            "Introductions and apologies",
            "Action document: review of actions and updates",
            "Disruption activity since the last meeting",
            "Any other business",
        ],
        "subject_sections": ["person"],
        "chair_role": "meeting_chair",
    },
    {
        "slug": "locational",
        "name": "Locational tasking",
        "forum": "locational",
        "standard_items": [
            "Introductions and apologies",
            "Action document: review of actions and updates",
            "Hotspots and emerging locations",
            "Any other business",
        ],
        "subject_sections": ["location"],
    },
    {
        "slug": "strategy",
        "name": "Strategy meeting",
        "forum": "strategy",
        "standard_items": [
            "Introductions and purpose of the meeting",
            "Information sharing",
            "Risk analysis",
            "Decisions and actions",
            "Review date",
        ],
        "subject_sections": ["child"],
        "circulation_lead_days": 0,
        "minutes_deadline_days": 3,
    },
]


def ship(apps, schema_editor):
    MeetingType = apps.get_model("meetings", "MeetingType")
    for fields in TYPES:
        fields = {
            "core_agency_kinds": CORE,
            "virtual_agency_kinds": VIRTUAL,
            **fields,
        }
        MeetingType.objects.get_or_create(
            local_area=None, slug=fields.pop("slug"), defaults=fields
        )


def unship(apps, schema_editor):
    apps.get_model("meetings", "MeetingType").objects.filter(
        local_area=None, slug__in=[t["slug"] for t in TYPES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]
    operations = [migrations.RunPython(ship, unship)]
