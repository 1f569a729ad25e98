"""What disruption adds to a record's summary (agendas, printed agendas): notices in
force and open plans and tactics, by reference only, from record-scoped queries.
The other party of a notice is named (by reference) only to a reader who may see
that record too."""

from __future__ import annotations

from cse import permissions
from cse.models import Subject
from cse.permissions import Reader
from cse.summaries import NOT_SHARED, Summary, register
from disruption import permissions as rules
from disruption.models import Cawn


@register(60)
def cawn_summary(reader: Reader, subject: Subject, since, until) -> Summary | None:
    if subject.kind == Subject.Kind.PERSON:
        other_field = "child"
    elif subject.kind == Subject.Kind.CHILD:
        other_field = "person"
    else:
        return None
    cawns = rules.cawns_on(reader, subject)
    rows = list(
        cawns.filter(status=Cawn.Status.SERVED).select_related(other_field)[:10]
    )
    if not rows:
        return None
    others = {getattr(cawn, f"{other_field}_id") for cawn in rows}
    seen = set(
        permissions.visible(reader, Subject)
        .filter(pk__in=others)
        .values_list("pk", flat=True)
    )
    lines = []
    for cawn in rows:
        other = getattr(cawn, other_field)
        party = other.reference if other.pk in seen else NOT_SHARED
        lines.append(
            f"{cawn.reference} in force since {cawn.served_at:%d/%m/%Y} "
            f"({party}), review by {cawn.review_on:%d/%m/%Y}"
        )
    return Summary("CAWN in force", lines)


@register(61)
def disruption_summary(
    reader: Reader, subject: Subject, since, until
) -> Summary | None:
    if subject.kind == Subject.Kind.CHILD:
        return None
    tactics = rules.tactics_on(reader, subject).select_related("tactic")
    if since:
        tactics = tactics.filter(started_on__gte=since)
    if until:
        tactics = tactics.filter(started_on__lte=until)
    lines = [
        f"{t.tactic} – {t.get_status_display().lower()} ({t.started_on:%d/%m/%Y})"
        for t in tactics[:10]
    ]
    plan = rules.plans_on(reader, subject).filter(deselected_on__isnull=True).first()
    if plan:
        lines.insert(
            0,
            f"{plan.get_kind_display()}: risk {plan.get_risk_display().lower()}, "
            f"next review {plan.next_review_on:%d/%m/%Y}",
        )
    return Summary("Disruption", lines) if lines else None
