"""The disruption tactics named in the documents (seed 001 ch. 10; seed 004 around
l.2020), as data. Areas may add their own; these are never deleted by code."""

from django.db import migrations

P, L, V = "person", "location", "vehicle"
CATALOGUE = [
    # code, name, category, applies to, counts as prosecution
    ("sexual_risk_order", "Sexual Risk Order", "civil", [P], False),
    (
        "sexual_harm_prevention_order",
        "Sexual Harm Prevention Order",
        "civil",
        [P],
        False,
    ),
    ("closure_notice", "Closure notice or order", "civil", [L], False),
    ("hotel_information_notice", "Hotel information notice", "civil", [L], False),
    ("civil_injunction", "Civil injunction", "civil", [P], False),
    (
        "section_222_injunction",
        "Section 222 injunction (Local Government Act 1972)",
        "civil",
        [P, L],
        False,
    ),
    (
        "inherent_jurisdiction_injunction",
        "Inherent-jurisdiction injunction",
        "civil",
        [P],
        False,
    ),
    ("licensing_review", "Licensing review or conditions", "licensing", [L], False),
    (
        "taxi_licence_referral",
        "Taxi or private-hire licence referral",
        "licensing",
        [P, V],
        False,
    ),
    ("anpr_marker", "ANPR vehicle marker", "police_systems", [V], False),
    ("pnc_address_marker", "PNC address marker", "police_systems", [L], False),
    ("bail_conditions", "Bail conditions", "criminal", [P], False),
    ("arrest", "Arrest", "criminal", [P], False),
    ("charge", "Charge", "criminal", [P], True),
    ("conviction", "Conviction", "criminal", [P], True),
    (
        "nrm_referral",
        "National Referral Mechanism (NRM) referral",
        "safeguarding",
        [P],
        False,
    ),
]


def load(apps, schema_editor):
    TacticType = apps.get_model("disruption", "TacticType")
    for order, (code, name, category, kinds, prosecution) in enumerate(CATALOGUE):
        TacticType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "applies_to": ",".join(kinds),
                "counts_as_prosecution": prosecution,
                "order": (order + 1) * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("disruption", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
