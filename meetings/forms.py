"""Forms for meetings. Explicit fields; every choice of an agency or a person is
limited to the meeting's members, and of a meeting type to the user's area."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from cse.concurrency import VersionedForm
from cse.forms import RADIOS, Form, long_text
from cse.govuk_forms import GovukDateField, GovukDateTimeField
from cse.models import Agency, Category, Forum, Role, User

from .models import Action, Attendance, Decision, ItemNote, Meeting, MeetingType
from .services import Triage


class MeetingForm(Form):
    meeting_type = forms.ModelChoiceField(
        queryset=MeetingType.objects.none(), label="Type of meeting", empty_label=None
    )
    starts_at = GovukDateTimeField(label="Date and time of the meeting")
    venue = forms.CharField(label="Venue", required=False, max_length=200)
    chair = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Chair", required=False
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        area = user.agency.local_area_id
        self.fields["meeting_type"].queryset = MeetingType.objects.filter(
            Q(local_area_id=area) | Q(local_area__isnull=True)
        )
        self.fields["meeting_type"].widget = RADIOS(
            choices=self.fields["meeting_type"].choices
        )
        self.fields["chair"].queryset = (
            User.objects.filter(
                is_active=True,
                agency__local_area_id=area,
                role_assignments__role=Role.MEETING_CHAIR,
            )
            .distinct()
            .select_related("agency")
        )
        self.fields["chair"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} – {u.agency}"
        )


class TriageForm(Form):
    decision = forms.ChoiceField(
        choices=Triage.CHOICES, widget=RADIOS, label="Decision"
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Reason",
        help_text="Required when declining: the referrer is told.",
    )
    urgent = forms.BooleanField(
        required=False, label="Urgent late addition (the agenda has closed)"
    )


class ReasonForm(Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason")


class AttendanceForm(Form):
    name = forms.CharField(label="Name", max_length=150)
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Agency")
    role = forms.CharField(label="Role or job title", required=False, max_length=150)
    status = forms.ChoiceField(
        choices=Attendance.Status.choices, widget=RADIOS, label="Attendance"
    )
    deputy_for = forms.CharField(label="Deputising for", required=False, max_length=150)
    accepted_confidentiality = forms.BooleanField(
        required=False, label="Has accepted the confidentiality statement"
    )

    def __init__(self, *args, meeting: Meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(
            pk__in=meeting.members.values("agency_id")
        )


class NoteForm(Form):
    kind = forms.ChoiceField(choices=ItemNote.Kind.choices, widget=RADIOS, label="Type")
    basis = forms.ChoiceField(
        choices=ItemNote.Basis.choices, widget=RADIOS, label="Fact or opinion"
    )
    # The minutes of the discussion of an item: the longer limit.
    text = long_text(label="Note", rows=5)


class DecisionForm(Form):
    outcome = forms.ChoiceField(
        choices=Decision.Outcome.choices, widget=RADIOS, label="Decision"
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="Rationale"
    )
    category_reviewed = forms.TypedChoiceField(
        choices=[("", "Not reviewed")]
        + [(str(v), label) for v, label in Category.choices],
        coerce=int,
        empty_value=None,
        required=False,
        label="CSE category reviewed",
    )
    next_review_on = GovukDateField(
        label="Next review",
        required=False,
        help_text="At most 3 months from this meeting.",
    )
    refer_to = forms.ChoiceField(
        choices=[("", "Not referred")] + list(Forum.choices),
        required=False,
        label="Refer to (when referring to another meeting)",
    )


class ActionForm(Form):
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Action"
    )
    assigned_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label="Agency responsible"
    )
    assigned_to = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Person responsible", required=False
    )
    due_on = GovukDateField(label="Due date")

    def __init__(self, *args, meeting: Meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        agencies = meeting.members.values("agency_id")
        self.fields["assigned_agency"].queryset = Agency.objects.filter(pk__in=agencies)
        self.fields["assigned_to"].queryset = User.objects.filter(
            is_active=True, agency_id__in=agencies
        ).select_related("agency")
        self.fields["assigned_to"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} – {u.agency}"
        )


class ActionUpdateForm(Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Update")


class CloseActionForm(VersionedForm, Form):
    version_extra = ("closure_note",)

    status = forms.ChoiceField(
        choices=[
            (Action.Status.COMPLETED, "Completed"),
            (Action.Status.DISMISSED, "Dismissed"),
        ],
        widget=RADIOS,
        label="Close the action as",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Note",
        help_text="Required when dismissing.",
    )
