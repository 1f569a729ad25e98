"""Links between records, sharing decisions and agency access, the chronology,
notifications, and guardian's per-user object permission tables."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .organisation import Agency
from .subjects import Child, Location, PersonOfInterest, Subject, Vehicle

K = Subject.Kind
PEOPLE = frozenset({K.CHILD, K.PERSON})


class Link(models.Model):
    """A typed, sourced, dated association between two records."""

    class Kind(models.TextChoices):
        SEEN_WITH = "seen_with", "Seen with"
        RELATIONSHIP_OF_CONCERN = "relationship_of_concern", "Relationship of concern"
        ASSOCIATE = "associate", "Associate of"
        SIBLING = "sibling", "Sibling of"
        FAMILY = "family", "Family member of"
        PEER = "peer", "Peer of"
        FREQUENTS = "frequents", "Frequents"
        LIVES_AT = "lives_at", "Lives or stays at"
        WORKS_AT = "works_at", "Works at or runs"
        DRIVES = "drives", "Drives"
        SEEN_IN = "seen_in", "Seen in"
        SEEN_AT = "seen_at", "Seen at"
        OTHER = "other", "Other association"

    # Which kinds of record each link type may join (from → to).
    ALLOWED = {
        Kind.SEEN_WITH: (PEOPLE, PEOPLE),
        Kind.RELATIONSHIP_OF_CONCERN: (PEOPLE, PEOPLE),
        Kind.ASSOCIATE: (PEOPLE, PEOPLE),
        Kind.SIBLING: (PEOPLE, PEOPLE),
        Kind.FAMILY: (PEOPLE, PEOPLE),
        Kind.PEER: (PEOPLE, PEOPLE),
        Kind.FREQUENTS: (PEOPLE, {K.LOCATION}),
        Kind.LIVES_AT: (PEOPLE, {K.LOCATION}),
        Kind.WORKS_AT: (PEOPLE, {K.LOCATION}),
        Kind.DRIVES: ({K.PERSON, K.CHILD}, {K.VEHICLE}),
        Kind.SEEN_IN: (PEOPLE, {K.VEHICLE}),
        Kind.SEEN_AT: ({K.VEHICLE, K.CHILD, K.PERSON}, {K.LOCATION}),
        Kind.OTHER: (set(K), set(K)),
    }

    class Confidence(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        PROBABLE = "probable", "Probable"
        POSSIBLE = "possible", "Possible"
        UNVERIFIED = "unverified", "Unverified"

    class Source(models.TextChoices):
        OBSERVATION = "observation", "Professional observation"
        DISCLOSURE = "disclosure", "Child's own account"
        POLICE_INTELLIGENCE = "police_intelligence", "Police intelligence"
        INFORMATION_REPORT = "information_report", "Partnership information report"
        RETURN_INTERVIEW = "return_interview", "Return-home interview"
        MEETING = "meeting", "Multi-agency meeting"
        SCREENING = "screening", "Screening or risk assessment"
        FAMILY_OR_PUBLIC = "family_or_public", "Family member or public"
        OTHER = "other", "Other"

    from_subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="links_out"
    )
    to_subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="links_in"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    source = models.CharField(max_length=30, choices=Source.choices)
    source_detail = models.CharField(
        "source details",
        max_length=300,
        blank=True,
        help_text="For example, the report or meeting reference.",
    )
    first_seen = models.DateField(null=True, blank=True)
    last_seen = models.DateField(null=True, blank=True)
    confidence = models.CharField(max_length=20, choices=Confidence.choices)
    notes = models.TextField(blank=True)
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-last_seen", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_subject=models.F("to_subject")),
                name="cse_link_not_to_itself",
            ),
            models.CheckConstraint(
                condition=models.Q(last_seen__isnull=True)
                | models.Q(first_seen__isnull=True)
                | models.Q(last_seen__gte=models.F("first_seen")),
                name="cse_link_last_seen_after_first",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def other_end(self, subject_id: int) -> Subject:
        return (
            self.to_subject if self.from_subject_id == subject_id else self.from_subject
        )


class SubjectAccess(models.Model):
    """Which agencies may see a record: the owner, and each agency it is shared with.

    This is the table every scoping query runs against (see cse.permissions). It is
    written only by the services that create records and record sharing decisions.
    """

    class Basis(models.TextChoices):
        OWNER = "owner", "Owning agency"
        SHARED = "shared", "Sharing decision"
        MEETING = "meeting", "Circulated to a meeting"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="access"
    )
    # The subject's kind, which never changes: lets "how many children can this
    # agency see" be counted from this table's index alone.
    kind = models.CharField(max_length=10, choices=Subject.Kind.choices)
    basis = models.CharField(max_length=10, choices=Basis.choices)
    decision = models.ForeignKey(
        "SharingDecision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Its index, led by agency, is the one the scoping Exists() uses.
            models.UniqueConstraint(
                fields=["agency", "subject"], name="cse_subjectaccess_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["agency", "kind", "basis"], name="cse_subjectaccess_count"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} sees {self.subject}"


class SharingDecision(models.Model):
    """A recorded decision to share (or not to share) a record with another agency,
    as the information sharing protocol requires: what, with whom, by whom, when,
    why, and on what consent basis."""

    class Decision(models.TextChoices):
        SHARE = "share", "Share"
        DO_NOT_SHARE = "do_not_share", "Do not share"
        WITHDRAW = "withdraw", "Withdraw an earlier share"

    class Consent(models.TextChoices):
        GIVEN = "given", "Consent given"
        REFUSED = "refused", "Consent refused"
        NOT_SOUGHT = "not_sought", "Consent not sought"

    class Context(models.TextChoices):
        MANUAL = "manual", "Decision by a professional"
        MEETING = "meeting", "Meeting circulation"
        REFERRAL = "referral", "Referral to a meeting"
        IMPORT = "import", "Imported record"

    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="sharing_decisions"
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="sharing_decisions_received",
        verbose_name="shared with",
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    purpose = models.TextField(
        help_text="Why the information is, or is not, being shared."
    )
    consent = models.CharField(max_length=20, choices=Consent.choices)
    consent_reason = models.TextField(
        blank=True, help_text="Required when consent was refused or not sought."
    )
    context = models.CharField(
        max_length=20, choices=Context.choices, default=Context.MANUAL
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_by_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consent="given") | ~models.Q(consent_reason=""),
                name="cse_sharingdecision_reason_without_consent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.agency}"


class ChronologyEntry(models.Model):
    """One dated event on a child's (or other record's) chronology.

    Other parts of the product append here through cse.services.add_chronology_entry,
    pointing at their own record through `source`.

    An entry about another record (a link, a warning notice naming a person) holds
    that record in `mentions`, and its title says `{record}` where the record is
    named: the title is rendered for each reader by cse.chronology, with the
    record's reference only for a reader who may see it. Stored text never names
    another record, so no reader can come across it.
    """

    MENTION = "{record}"

    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="chronology"
    )
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    mentions = models.ForeignKey(
        Subject,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The other record this entry is about, named in the title as {record}",
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name_plural = "chronology entries"
        indexes = [
            models.Index(
                fields=["subject", "-occurred_at"], name="cse_chronology_subject"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def byline(self) -> str:
        who = str(self.recorded_by) if self.recorded_by else "System"
        return f"{who}, {self.agency}" if self.agency else who


class Notification(models.Model):
    """An in-app message to one user. Messages name records by reference, not by name."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="cse_notification_unread")
        ]

    def __str__(self) -> str:
        return self.message


# Guardian's per-user and per-group object permissions with direct foreign keys
# (faster and safer than its generic tables, and impossible to add later without
# downtime). Used for grants to one person, such as a meeting chair's rights or a
# time-boxed exceptional access; agency visibility is SubjectAccess.
class ChildUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Child, on_delete=models.CASCADE)


class ChildGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Child, on_delete=models.CASCADE)


class PersonUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(PersonOfInterest, on_delete=models.CASCADE)


class PersonGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(PersonOfInterest, on_delete=models.CASCADE)


class LocationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Location, on_delete=models.CASCADE)


class LocationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Location, on_delete=models.CASCADE)


class VehicleUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Vehicle, on_delete=models.CASCADE)


class VehicleGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Vehicle, on_delete=models.CASCADE)
