"""Forms for the core records. Every form lists its fields explicitly, so posting an
owner, agency or role field changes nothing; every choice of a record or a person is
scoped through cse.permissions."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.core.exceptions import ValidationError

from cse import permissions
from cse.concurrency import VersionedForm
from cse.govuk_forms import (
    GovukDateField,
    govuk_length_limits,
    govuk_number_widths,
    govuk_required_messages,
)
from cse.models import (
    Address,
    Agency,
    BreakGlass,
    Category,
    CategoryAssessment,
    Child,
    ChildFlag,
    ChildPlan,
    Forum,
    Link,
    LocalArea,
    Location,
    PersonOfInterest,
    SharingDecision,
    Subject,
    User,
    Vehicle,
)

RADIOS = forms.RadioSelect


class GovukFormMixin:
    """GOV.UK error messages that name the field ("Enter forename"), fixed-width
    number boxes, and a length limit on every free-text field
    (cse.govuk_forms.govuk_length_limits). The limits
    are applied again before cleaning and rendering, so fields a form adds after
    this ``__init__`` are bounded too."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        govuk_required_messages(self)
        govuk_length_limits(self)
        govuk_number_widths(self)

    def full_clean(self) -> None:
        govuk_length_limits(self)
        super().full_clean()

    def __getitem__(self, name: str):
        if name not in self._bound_fields_cache:
            govuk_length_limits(self)
        return super().__getitem__(name)


class Form(GovukFormMixin, forms.Form):
    """A form whose "required" errors name the field, as GOV.UK error summaries do,
    and whose free text is bounded."""


class ModelForm(GovukFormMixin, forms.ModelForm):
    pass


def long_text(*, rows: int = 8, **kwargs) -> forms.CharField:
    """A textarea for the few records that are long by nature (meeting notes, an
    intelligence report and its sanitised copy): LONG_FREE_TEXT_MAX_LENGTH, not the
    usual FREE_TEXT_MAX_LENGTH."""
    return forms.CharField(
        max_length=settings.LONG_FREE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class SignInForm(AuthenticationForm):
    """Django's sign-in form without autofocus, which would carry keyboard and
    screen-reader users past the skip link and the page's heading."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)

    def clean(self) -> dict:
        from cse.lockout import account_rate_exceeded

        username = self.cleaned_data.get("username", "")
        if username and account_rate_exceeded(username):
            # The same answer as a wrong password: nothing tells an attacker why.
            raise self.get_invalid_login_error()
        return super().clean()


def _user_choice(queryset, label: str) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(queryset=queryset, required=False, label=label)
    field.label_from_instance = lambda user: f"{user.get_full_name()} – {user.agency}"
    return field


class ChildForm(VersionedForm, ModelForm):
    date_of_birth = GovukDateField(label="Date of birth", required=False)
    aliases = forms.CharField(
        label="Other names or aliases",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One name on each line.",
    )

    class Meta:
        model = Child
        fields = [
            "forename",
            "middle_names",
            "surname",
            "known_as",
            "date_of_birth",
            "estimated_age",
            "gender",
            "ethnicity",
            "first_language",
            "interpreter_needed",
            "disability",
            "disability_notes",
            "local_reference",
            "home_area",
            "lives_with",
            "parental_responsibility",
            "legal_status",
            "responsible_authority",
            "placement",
            "placing_authority",
            "education_status",
            "school",
            "lead_professional",
            "allocated_social_worker",
            "case_status",
        ]
        widgets = {
            "gender": RADIOS,
            "legal_status": RADIOS,
            "placement": RADIOS,
            "case_status": RADIOS,
            "disability_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["aliases"]
            staff = permissions.staff_who_can_see(self.instance)
        else:
            staff = User.objects.filter(
                agency=user.agency,
                is_active=True,
                role_assignments__role__in=permissions.CASEWORK_ROLES,
            ).distinct()
        staff = staff.select_related("agency").order_by("last_name", "first_name")
        self.fields["lead_professional"] = _user_choice(staff, "Lead professional")
        self.fields["allocated_social_worker"] = _user_choice(
            staff, "Allocated social worker"
        )
        self.fields["home_area"].queryset = LocalArea.objects.all()
        self.fields["home_area"].required = False
        self.fields["estimated_age"].widget.attrs["inputmode"] = "numeric"

    def clean(self) -> dict:
        data = super().clean()
        if (
            not data.get("date_of_birth")
            and data.get("estimated_age") is None
            and "date_of_birth" not in self.errors
        ):
            self.add_error(
                "date_of_birth",
                "Enter a date of birth, or an estimated age if it is not known",
            )
        status = data.get("legal_status")
        if (
            status
            and status != Child.LegalStatus.NOT_LOOKED_AFTER
            and not data.get("responsible_authority")
        ):
            self.add_error(
                "responsible_authority",
                "Enter which local authority is responsible for the child",
            )
        placement = data.get("placement")
        if (
            placement
            and placement != Child.Placement.NOT_PLACED
            and not data.get("placing_authority")
        ):
            self.add_error("placing_authority", "Enter the placing or host authority")
        return data

    def alias_names(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data.get("aliases", "").splitlines()
            if line.strip()
        ]


class ConfirmNewChildForm(Form):
    confirm_new = forms.BooleanField(
        label="None of these is the child: create a new record",
        required=True,
        error_messages={
            "required": "Confirm that none of the possible matches is this child"
        },
    )


class PersonForm(VersionedForm, ModelForm):
    date_of_birth = GovukDateField(label="Date of birth", required=False)
    aliases = forms.CharField(
        label="Other names or aliases",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One name on each line.",
    )

    class Meta:
        model = PersonOfInterest
        fields = [
            "forename",
            "surname",
            "nickname",
            "date_of_birth",
            "age_from",
            "age_to",
            "gender",
            "description",
            "offending_history",
            "status",
        ]
        widgets = {"gender": RADIOS, "status": RADIOS}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["aliases"]

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("forename") or data.get("surname") or data.get("nickname")):
            self.add_error("forename", "Enter a name or a nickname")
        low, high = data.get("age_from"), data.get("age_to")
        if low is not None and high is not None and low > high:
            self.add_error(
                "age_to", "The upper age must be the same as or more than the lower age"
            )
        return data

    def alias_names(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data.get("aliases", "").splitlines()
            if line.strip()
        ]


class LocationForm(VersionedForm, ModelForm):
    hotspot_since = GovukDateField(label="Hotspot since", required=False)

    class Meta:
        model = Location
        fields = [
            "name",
            "type",
            "trading_name",
            "address_line_1",
            "address_line_2",
            "town",
            "postcode",
            "local_area",
            "online_identifier",
            "is_hotspot",
            "hotspot_since",
            "description",
        ]
        widgets = {"type": RADIOS}

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("type")
        if kind == Location.Type.ONLINE and not data.get("online_identifier"):
            self.add_error(
                "online_identifier", "Enter the platform and account or group"
            )
        if (
            kind
            and kind != Location.Type.ONLINE
            and not (data.get("address_line_1") or data.get("postcode"))
        ):
            self.add_error("address_line_1", "Enter an address or a postcode")
        if kind == Location.Type.LICENSED_PREMISES and not data.get("trading_name"):
            self.add_error(
                "trading_name", "Enter the trading name of the licensed premises"
            )
        return data


class VehicleForm(VersionedForm, ModelForm):
    class Meta:
        model = Vehicle
        fields = ["registration", "make", "model", "colour", "notes"]


class AliasForm(Form):
    name = forms.CharField(max_length=150, label="Name or alias")
    notes = forms.CharField(max_length=200, required=False, label="Notes")


class AddressForm(ModelForm):
    from_date = GovukDateField(label="Lived here from", required=False)
    to_date = GovukDateField(
        label="Lived here until", required=False, help_text="Leave blank if current."
    )

    class Meta:
        model = Address
        fields = [
            "line_1",
            "line_2",
            "town",
            "postcode",
            "from_date",
            "to_date",
            "notes",
        ]


class PhoneForm(Form):
    number = forms.CharField(max_length=30, label="Phone number")
    notes = forms.CharField(max_length=200, required=False, label="Notes")


class CategoryForm(ModelForm):
    category = forms.TypedChoiceField(
        choices=Category.choices, coerce=int, widget=RADIOS, label="CSE risk category"
    )
    assessed_on = GovukDateField(label="Date of assessment")

    class Meta:
        model = CategoryAssessment
        fields = ["category", "assessed_on", "source", "rationale"]
        widgets = {"source": RADIOS}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Screening and meetings record their own categories through their pages.
        self.fields["source"].choices = [
            (CategoryAssessment.Source.PROFESSIONAL, "Professional judgement"),
            (CategoryAssessment.Source.MEETING, "Multi-agency meeting"),
            (CategoryAssessment.Source.RISK_ASSESSMENT, "Risk assessment"),
        ]


class FlagForm(ModelForm):
    set_on = GovukDateField(label="Date the concern was identified")

    class Meta:
        model = ChildFlag
        fields = ["kind", "reason", "set_on"]
        widgets = {"kind": RADIOS}
        labels = {"kind": "Flag"}


class ReasonForm(Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason")


class WarningForm(Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Warning")
    review_on = GovukDateField(label="Review date")


class PlanForm(ModelForm):
    start_date = GovukDateField(label="Start date")
    end_date = GovukDateField(label="End date", required=False)
    last_reviewed_on = GovukDateField(label="Last reviewed", required=False)

    class Meta:
        model = ChildPlan
        fields = ["kind", "start_date", "end_date", "last_reviewed_on"]
        widgets = {"kind": RADIOS}


class LinkForm(Form):
    to_subject = forms.ChoiceField(
        label="Link to",
        widget=RADIOS,
        required=False,
        help_text="Records you have opened recently.",
    )
    to_reference = forms.CharField(
        label="Or enter the record's reference",
        required=False,
        max_length=20,
        help_text="For example, P-000123. Find it with search.",
    )
    kind = forms.ChoiceField(choices=Link.Kind.choices, label="Type of link")
    source = forms.ChoiceField(
        choices=Link.Source.choices, label="Source of the information"
    )
    source_detail = forms.CharField(
        max_length=300, required=False, label="Source details"
    )
    confidence = forms.ChoiceField(
        choices=Link.Confidence.choices, widget=RADIOS, label="Confidence"
    )
    first_seen = GovukDateField(label="First seen", required=False)
    last_seen = GovukDateField(label="Last seen", required=False)
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Notes"
    )

    def __init__(
        self, *args, user: User, subject: Subject, candidates: list[Subject], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.subject = subject
        self.fields["to_subject"].choices = [
            (str(candidate.pk), f"{candidate.specific} ({candidate.reference})")
            for candidate in candidates
        ]
        if not candidates:
            del self.fields["to_subject"]

    def clean(self) -> dict:
        data = super().clean()
        chosen = data.get("to_subject")
        reference = (data.get("to_reference") or "").strip().upper()
        target = None
        if reference:
            pk = pk_from_reference(reference)
            target = (
                permissions.visible(self.user, Subject).filter(pk=pk).first()
                if pk
                else None
            )
            if target is None:
                self.add_error(
                    "to_reference", "No record you can see has that reference"
                )
        elif chosen:
            target = permissions.visible(self.user, Subject).filter(pk=chosen).first()
        else:
            self.add_error(
                "to_reference" if "to_subject" not in self.fields else "to_subject",
                "Choose the record to link to",
            )
        data["target"] = target
        first, last = data.get("first_seen"), data.get("last_seen")
        if first and last and last < first:
            self.add_error(
                "last_seen", "Last seen must be the same as or after first seen"
            )
        return data


def pk_from_reference(reference: str) -> int | None:
    prefix, _, number = reference.partition("-")
    if prefix in {"C", "P", "L", "V"} and number.isdigit():
        return int(number)
    return None


class ShareForm(Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Agency")
    decision = forms.ChoiceField(
        choices=[
            (SharingDecision.Decision.SHARE, "Share this record with the agency"),
            (
                SharingDecision.Decision.DO_NOT_SHARE,
                "Do not share (record the decision)",
            ),
        ],
        widget=RADIOS,
        label="Decision",
    )
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Purpose",
        help_text="Why the information is, or is not, being shared.",
    )
    consent = forms.ChoiceField(
        choices=SharingDecision.Consent.choices, widget=RADIOS, label="Consent"
    )
    consent_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Reason for sharing without consent, or for not seeking it",
        help_text="Required unless consent was given.",
    )

    def __init__(self, *args, subject: Subject, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = (
            Agency.objects.filter(is_active=True)
            .exclude(pk=subject.owner_agency_id)
            .select_related("local_area")
            .order_by("local_area__name", "name")
        )
        self.fields["agency"].label_from_instance = lambda agency: (
            f"{agency.name} ({agency.local_area})"
        )

    def clean(self) -> dict:
        data = super().clean()
        consent = data.get("consent")
        reason = (data.get("consent_reason") or "").strip()
        if consent and consent != SharingDecision.Consent.GIVEN and not reason:
            self.add_error(
                "consent_reason", "Enter the reason, as consent was not given"
            )
        return data


class WithdrawShareForm(Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), widget=forms.HiddenInput
    )
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Reason for withdrawing"
    )

    def __init__(self, *args, subject: Subject, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = permissions.agencies_with_access(
            subject
        ).exclude(pk=subject.owner_agency_id)


class SearchForm(Form):
    query = forms.CharField(
        max_length=100,
        label="Search",
        help_text="A name, nickname, alias, date of birth (for example 27/03/2011), postcode, "
        "vehicle registration or phone number.",
    )
    kinds = forms.MultipleChoiceField(
        choices=Subject.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Look for",
    )

    def clean_query(self) -> str:
        query = self.cleaned_data["query"].strip()
        if len(query) < 2:
            raise ValidationError("Enter at least 2 characters")
        return query


class ImportChildrenForm(Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.filter(is_active=True), label="Owning agency"
    )
    file = forms.FileField(
        label="CSV file", help_text="UTF-8 CSV with the header row described below."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            raise ValidationError("The file must be smaller than 10 MB")
        return upload


class ReferralForm(Form):
    forum = forms.ChoiceField(choices=Forum.choices, widget=RADIOS, label="Meeting")
    synopsis = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Synopsis",
        help_text="The concerns, what has been done so far, and what you want the meeting to consider.",
    )
    is_urgent = forms.BooleanField(
        required=False,
        label="Urgent: consider at the next meeting even if the agenda has closed",
    )


class StepUpForm(Form):
    """The password again, or a current authenticator code, for an action that needs
    a fresh check. No password may be six digits (at least 12 characters), so a
    six-digit answer is taken as a code; each code works once."""

    password = forms.CharField(
        label="Your password, or a code from your authenticator app",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        from cse import two_factor

        password = self.cleaned_data["password"]
        if two_factor.CODE.match(password.strip()):
            device, wait = two_factor.check_code(self.user, password)
            if device is None:
                raise ValidationError(
                    _wait_message(wait) or "The code is not right", code="invalid"
                )
            return password
        if not self.user.check_password(password):
            raise ValidationError("The password is not right", code="invalid")
        return password


class BreakGlassRequestForm(Form):
    """The whole break-glass request on one form: the reference with the reason. The
    reference is checked for its form only; no record is looked up until the form
    is complete."""

    reference = forms.CharField(
        max_length=20,
        label="Record reference",
        help_text="The reference another agency gave you, for example C-001234.",
    )
    reason_category = forms.ChoiceField(
        choices=BreakGlass.Reason.choices, widget=RADIOS, label="Reason"
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        label="Why you need to see this record now",
        help_text="Who told you what, and what you will do. The agency that holds the "
        "record will read this. Each access needs its own reason: a reason given "
        "before for the same record is not accepted again.",
    )
    understood = forms.BooleanField(
        label="I understand that this access is recorded, that everything I open is "
        "logged, and that the agency holding the record will review it",
    )

    def clean_reference(self) -> str:
        from cse.break_glass import normalise_reference

        return normalise_reference(self.cleaned_data["reference"])


class BreakGlassReviewForm(Form):
    outcome = forms.ChoiceField(
        choices=[
            (BreakGlass.Review.APPROPRIATE, "Appropriate"),
            (BreakGlass.Review.NOT_APPROPRIATE, "Not appropriate"),
        ],
        widget=RADIOS,
        label="Was this access appropriate?",
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, label="Comment"
    )


def _wait_message(wait: int | None) -> str:
    if wait is None:
        return ""
    return f"Too many wrong codes. Wait {wait} seconds, then try again"


def _code_input() -> forms.TextInput:
    """A one-time code box: numeric keyboard, the browser's one-time-code fill."""
    return forms.TextInput(
        attrs={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "spellcheck": "false",
            "class": "govuk-input--width-10",
        }
    )


class SecondFactorForm(Form):
    """The code from the user's authenticator app, or one of their recovery codes."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="Or one of your recovery codes if you do not have your phone.",
        max_length=16,
        widget=_code_input(),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None

    def clean_code(self) -> str:
        from cse import two_factor

        code = self.cleaned_data["code"]
        self.device, wait = two_factor.check_code(self.user, code)
        if self.device is None:
            raise ValidationError(
                _wait_message(wait) or "The code is not right or was used already",
                code="invalid",
            )
        return code


class AuthenticatorForm(Form):
    """The first code from a newly scanned authenticator, proving it was set up."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        widget=_code_input(),
    )

    def __init__(self, *args, device, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self) -> str:
        from cse import two_factor

        code = self.cleaned_data["code"]
        if not two_factor.confirm_authenticator(self.device, code):
            raise ValidationError(
                "The code is not right. Check the app shows this service, and "
                "enter the code it shows now",
                code="invalid",
            )
        return code


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset request, answered the same whether or not the address is known.
    A reset e-mail goes, through the outbox (cse.outbox), only to active users with that
    address, and to each at most PASSWORD_RESETS_PER_HOUR times an hour."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def save(self, *args, **kwargs) -> None:
        import datetime

        from django.utils import timezone

        from cse import audit, outbox
        from cse.models import AuditEvent

        hour_ago = timezone.now() - datetime.timedelta(hours=1)
        for user in self.get_users(self.cleaned_data["email"]):
            recent = AuditEvent.objects.filter(
                action=AuditEvent.Action.PASSWORD_RESET,
                detail__user_id=user.pk,
                detail__stage="requested",
                at__gte=hour_ago,
            ).count()
            if recent >= settings.PASSWORD_RESETS_PER_HOUR:
                continue
            audit.record(
                by=None,
                action=AuditEvent.Action.PASSWORD_RESET,
                summary="Password reset requested",
                detail={"user_id": user.pk, "stage": "requested"},
            )
            outbox.queue_password_reset(user=user)
