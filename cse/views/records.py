"""Pages for children, persons of interest, locations and vehicles.

Every view has the same shape: fetch through cse.permissions (404 for a record the
user may not see), check the right to change (403), bind the form, call the service,
message, redirect.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cse import audit, concurrency, forms, permissions, services
from cse.chronology import chronology_for
from cse.models import (
    Address,
    AuditEvent,
    Category,
    Child,
    ChildFlag,
    LocalArea,
    Location,
    PersonOfInterest,
    Subject,
    User,
    Vehicle,
)
from cse.models.subjects import SPECIFIC_ATTR
from cse.views.common import detail_url, open_subject, remember, tabs_for

PAGE_SIZE = 25


class CountedPaginator(Paginator):
    """A paginator told its total, when a cheaper way to count it is known."""

    def __init__(self, object_list, per_page: int, count: int | None) -> None:
        super().__init__(object_list, per_page)
        if count is not None:
            self.__dict__["count"] = count  # fills the cached_property


def _apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, against its field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- lists ---------------------------------------------------------------------------

SORTS = {
    "name": ("surname", "forename", "pk"),
    "age": ("-date_of_birth", "pk"),
    "updated": ("-updated_at", "pk"),
    "category": ("-current_category", "surname", "pk"),
}


def child_list(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.sees_records(request.user))
    children = permissions.visible_children(request.user)
    filters = _list_filters(request)
    if filters["category"] == "none":
        children = children.filter(current_category__isnull=True)
    elif filters["category"] in {"0", "1", "2", "3"}:
        children = children.filter(current_category=int(filters["category"]))
    if filters["status"] in Child.CaseStatus.values:
        children = children.filter(case_status=filters["status"])
    if filters["held"] == "ours":
        children = children.filter(owner_agency=request.user.agency_id)
    elif filters["held"] == "shared":
        children = children.exclude(owner_agency=request.user.agency_id)
    if filters["area"]:
        children = children.filter(home_area__slug=filters["area"])
    sort = request.GET.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    children = children.select_related("owner_agency").order_by(*SORTS[sort])
    unfiltered = not (filters["category"] or filters["status"] or filters["area"])
    count = (
        permissions.count_visible(request.user, Subject.Kind.CHILD, filters["held"])
        if unfiltered
        else None
    )
    page = CountedPaginator(children, PAGE_SIZE, count).get_page(
        request.GET.get("page")
    )
    audit.record_many(
        by=request.user,
        action=AuditEvent.Action.LIST,
        subjects=page.object_list,
        summary="child list",
    )
    return render(
        request,
        "cse/child_list.html",
        {
            "page_obj": page,
            "filters": filters,
            "sort": sort,
            "areas": LocalArea.objects.all(),
            "categories": [(str(value), label) for value, label in Category.choices],
            "statuses": Child.CaseStatus.choices,
            "can_create": permissions.may_record(request.user),
        },
    )


def _list_filters(request: HttpRequest) -> dict:
    return {
        name: request.GET.get(name, "")
        for name in ("category", "status", "held", "area")
    }


def _simple_list(
    request: HttpRequest,
    queryset: QuerySet,
    template: str,
    summary: str,
    order: tuple,
    filtered: bool = False,
) -> HttpResponse:
    permissions.require(permissions.sees_records(request.user))
    held = request.GET.get("held", "")
    if held == "ours":
        queryset = queryset.filter(owner_agency=request.user.agency_id)
    elif held == "shared":
        queryset = queryset.exclude(owner_agency=request.user.agency_id)
    kind = (
        Subject.Kind.PERSON
        if queryset.model is PersonOfInterest
        else Subject.Kind.LOCATION
    )
    count = None if filtered else permissions.count_visible(request.user, kind, held)
    page = CountedPaginator(
        queryset.select_related("owner_agency").order_by(*order), PAGE_SIZE, count
    ).get_page(request.GET.get("page"))
    audit.record_many(
        by=request.user,
        action=AuditEvent.Action.LIST,
        subjects=page.object_list,
        summary=summary,
    )
    return render(
        request,
        template,
        {
            "page_obj": page,
            "held": held,
            "can_create": permissions.may_record(request.user),
        },
    )


def person_list(request: HttpRequest) -> HttpResponse:
    return _simple_list(
        request,
        permissions.visible_persons(request.user),
        "cse/person_list.html",
        "person list",
        ("surname", "forename", "nickname", "pk"),
    )


def location_list(request: HttpRequest) -> HttpResponse:
    queryset = permissions.visible_locations(request.user)
    hotspots = request.GET.get("hotspots") == "yes"
    if hotspots:
        queryset = queryset.filter(is_hotspot=True)
    return _simple_list(
        request,
        queryset,
        "cse/location_list.html",
        "location list",
        ("name", "pk"),
        filtered=hotspots,
    )


# --- create and edit ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def child_create(request: HttpRequest) -> HttpResponse:
    """Create a child, showing possible existing records first so that agencies do not
    record the same child twice."""
    permissions.require(permissions.may_record(request.user))
    form = forms.ChildForm(request.POST or None, user=request.user)
    # The confirmation is asked for, and checked, only once matches have been shown.
    shown = request.POST.get("matches_shown") == "yes"
    confirm = forms.ConfirmNewChildForm(request.POST if shown else None)
    matches = None
    if request.method == "POST" and form.is_valid():
        check = services.check_new_child(
            by=request.user,
            forename=form.cleaned_data["forename"],
            surname=form.cleaned_data["surname"],
            date_of_birth=form.cleaned_data.get("date_of_birth"),
        )
        if check.visible and not (shown and confirm.is_valid()):
            matches = check.visible
        else:
            try:
                child = services.create_subject(
                    by=request.user,
                    subject=form.save(commit=False),
                    aliases=form.alias_names(),
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                if check.hidden:
                    services.notify_hidden_duplicates(
                        by=request.user, child=child, hidden=check.hidden
                    )
                messages.success(request, f"Record {child.reference} created")
                return redirect(child.get_absolute_url())
    return render(
        request,
        "cse/child_form.html",
        {
            "form": form,
            "confirm": confirm,
            "matches": matches,
            "creating": True,
            "heading": "Add a child or young person",
            "list_url": reverse("cse:child_list"),
        },
    )


@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, pk: int) -> HttpResponse:
    child = open_subject(request, Child, pk, audit_view=False)
    permissions.require(permissions.can_edit(request.user, child))
    # The form edits a copy: the service compares the record before and after.
    form = forms.ChildForm(
        request.POST or None, instance=copy.copy(child), user=request.user
    )
    return _edit(
        request, child, form, "Change a child's details", "cse/child_form.html"
    )


def _edit(
    request: HttpRequest,
    subject: Subject,
    form,
    heading: str,
    template: str = "cse/subject_form.html",
) -> HttpResponse:
    context = {"subject": subject, "creating": False, "heading": heading}
    if request.method == "POST" and form.is_valid():
        fields = {
            name: form.cleaned_data[name]
            for name in form._meta.fields
            if name in form.cleaned_data
        }
        try:
            with concurrency.saving(form):
                services.update_subject(by=request.user, subject=subject, fields=fields)
        except concurrency.EditConflict as conflict:
            return concurrency.conflict_response(
                request, conflict, template, context, subject=subject
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Changes saved")
            return redirect(detail_url(subject))
    return render(request, template, {**context, "form": form})


def _create(request: HttpRequest, form, heading: str, list_url: str) -> HttpResponse:
    """Create a person, location or vehicle; with `?link_to=<record>` go on to link them."""
    permissions.require(permissions.may_record(request.user))
    link_to = _link_to(request)
    if request.method == "POST" and form.is_valid():
        aliases = form.alias_names() if hasattr(form, "alias_names") else ()
        try:
            subject = services.create_subject(
                by=request.user, subject=form.save(commit=False), aliases=aliases
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Record {subject.reference} created")
            remember(request, subject)
            if link_to is not None:
                return redirect(
                    f"{reverse('cse:link_create', args=[link_to.pk])}?to={subject.pk}"
                )
            return redirect(detail_url(subject))
    return render(
        request,
        "cse/subject_form.html",
        {
            "form": form,
            "creating": True,
            "link_to": link_to,
            "heading": heading,
            "list_url": list_url,
        },
    )


def _link_to(request: HttpRequest) -> Subject | None:
    pk = request.GET.get("link_to", "")
    if not pk.isdigit():
        return None
    return permissions.visible(request.user, Subject).filter(pk=int(pk)).first()


@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    form = forms.PersonForm(request.POST or None)
    return _create(
        request, form, "Add a person of interest", reverse("cse:person_list")
    )


@require_http_methods(["GET", "POST"])
def location_create(request: HttpRequest) -> HttpResponse:
    form = forms.LocationForm(request.POST or None)
    return _create(request, form, "Add a location", reverse("cse:location_list"))


@require_http_methods(["GET", "POST"])
def vehicle_create(request: HttpRequest) -> HttpResponse:
    form = forms.VehicleForm(request.POST or None)
    return _create(request, form, "Add a vehicle", reverse("cse:search"))


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = open_subject(request, PersonOfInterest, pk, audit_view=False)
    permissions.require(permissions.can_edit(request.user, person))
    form = forms.PersonForm(request.POST or None, instance=copy.copy(person))
    return _edit(request, person, form, "Change a person of interest's details")


@require_http_methods(["GET", "POST"])
def location_edit(request: HttpRequest, pk: int) -> HttpResponse:
    location = open_subject(request, Location, pk, audit_view=False)
    permissions.require(permissions.can_edit(request.user, location))
    form = forms.LocationForm(request.POST or None, instance=copy.copy(location))
    return _edit(request, location, form, "Change a location's details")


@require_http_methods(["GET", "POST"])
def vehicle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = open_subject(request, Vehicle, pk, audit_view=False)
    permissions.require(permissions.can_edit(request.user, vehicle))
    form = forms.VehicleForm(request.POST or None, instance=copy.copy(vehicle))
    return _edit(request, vehicle, form, "Change a vehicle's details")


# --- detail pages ---------------------------------------------------------------------


def _record_context(request: HttpRequest, subject: Subject) -> dict:
    """What every record's summary page shows besides its own details."""
    links = permissions.visible_links(request.user).filter(
        Q(from_subject=subject) | Q(to_subject=subject), ended_at__isnull=True
    )
    link_rows = _link_rows(request.user, list(links), subject)
    return {
        "subject": subject,
        "tabs": tabs_for(request, subject),
        "links": link_rows,
        "aliases": list(subject.aliases.all()),
        "addresses": list(subject.addresses.all()),
        "warnings": list(permissions.warnings_on(request.user, subject)),
        "can_edit": permissions.can_edit(request.user, subject),
        "can_add": permissions.can_add_to(request.user, subject),
    }


def _link_rows(user: User, links: list, subject: Subject) -> list[dict]:
    """Each link seen from this record: the other end and the wording."""
    other_ids = {
        link.to_subject_id
        if link.from_subject_id == subject.pk
        else link.from_subject_id
        for link in links
    }
    others = {
        other.pk: other
        for other in permissions.records_by_id(user, other_ids).select_related(
            *SPECIFIC_ATTR.values()
        )
    }
    rows = []
    for link in links:
        outgoing = link.from_subject_id == subject.pk
        other = others[link.to_subject_id if outgoing else link.from_subject_id]
        rows.append(
            {
                "link": link,
                "other": other.specific,
                "other_kind": other.get_kind_display(),
                "wording": link.get_kind_display()
                if outgoing
                else f"{link.get_kind_display()} (from)",
            }
        )
    return rows


def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    child = open_subject(request, Child, pk)
    context = _record_context(request, child)
    history = list(child.category_history.select_related("recorded_by", "agency"))
    context.update(
        {
            "child": child,
            "category_history": history,
            "current_category": history[0] if history else None,
            "flags": list(
                child.flags.select_related("set_by").filter(removed_at__isnull=True)
            ),
            "removed_flags": list(child.flags.filter(removed_at__isnull=False)),
            "plans": list(child.plans.all()),
        }
    )
    return render(request, "cse/child_detail.html", context)


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = open_subject(request, PersonOfInterest, pk)
    context = _record_context(request, person)
    context["phones"] = list(person.phone_numbers.all())
    return render(request, "cse/person_detail.html", context)


def location_detail(request: HttpRequest, pk: int) -> HttpResponse:
    location = open_subject(request, Location, pk)
    return render(
        request, "cse/location_detail.html", _record_context(request, location)
    )


def vehicle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = open_subject(request, Vehicle, pk)
    return render(request, "cse/vehicle_detail.html", _record_context(request, vehicle))


def child_chronology(request: HttpRequest, pk: int) -> HttpResponse:
    child = open_subject(request, Child, pk)
    page = chronology_for(request.user, child, page_number=request.GET.get("page"))
    return render(
        request,
        "cse/child_chronology.html",
        {
            "subject": child,
            "child": child,
            "tabs": tabs_for(request, child),
            "page_obj": page,
        },
    )


# --- additions to a record ------------------------------------------------------------


def _add_to(
    request: HttpRequest, pk: int, model: type[Subject], form, title: str, save
) -> HttpResponse:
    """The shape of every small 'add something to this record' page."""
    subject = open_subject(request, model, pk, audit_view=False)
    permissions.require(permissions.can_add_to(request.user, subject))
    if request.method == "POST" and form.is_valid():
        try:
            save(subject, form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{title}: saved")
            return redirect(detail_url(subject))
    return render(
        request,
        "cse/add_to_record.html",
        {
            "form": form,
            "subject": subject.specific,
            "title": title,
            "back": detail_url(subject),
        },
    )


@require_http_methods(["GET", "POST"])
def alias_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_to(
        request,
        pk,
        Subject,
        forms.AliasForm(request.POST or None),
        "Add a name or alias",
        lambda subject, data: services.add_alias(
            by=request.user, subject=subject, **data
        ),
    )


@require_http_methods(["GET", "POST"])
def address_create(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.AddressForm(request.POST or None)
    return _add_to(
        request,
        pk,
        Subject,
        form,
        "Add an address",
        lambda subject, data: services.add_address(
            by=request.user, subject=subject, address=Address(**data)
        ),
    )


@require_http_methods(["GET", "POST"])
def phone_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_to(
        request,
        pk,
        Subject,
        forms.PhoneForm(request.POST or None),
        "Add a phone number",
        lambda subject, data: services.add_phone_number(
            by=request.user, subject=subject, **data
        ),
    )


@require_http_methods(["GET", "POST"])
def warning_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_to(
        request,
        pk,
        Subject,
        forms.WarningForm(request.POST or None),
        "Add a warning",
        lambda subject, data: services.add_warning(
            by=request.user, subject=subject, **data
        ),
    )


@require_http_methods(["GET", "POST"])
def category_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_to(
        request,
        pk,
        Child,
        forms.CategoryForm(request.POST or None),
        "Record a CSE risk category",
        lambda child, data: services.record_category(
            by=request.user, child=child, **data
        ),
    )


@require_http_methods(["GET", "POST"])
def flag_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_to(
        request,
        pk,
        Child,
        forms.FlagForm(request.POST or None),
        "Set a flag",
        lambda child, data: services.set_flag(by=request.user, child=child, **data),
    )


@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.PlanForm(request.POST or None)
    return _add_to(
        request,
        pk,
        Child,
        form,
        "Add a plan",
        lambda child, data: services.add_plan(
            by=request.user, child=child, plan=form.save(commit=False)
        ),
    )


@require_POST
def flag_remove(request: HttpRequest, pk: int, flag_pk: int) -> HttpResponse:
    child = open_subject(request, Child, pk, audit_view=False)
    permissions.require(permissions.can_add_to(request.user, child))
    flag = get_object_or_404(ChildFlag, pk=flag_pk, child=child)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.remove_flag(
                by=request.user, flag=flag, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Flag removed: {flag.get_kind_display()}")
    else:
        messages.error(request, "Enter why the flag is being removed")
    return redirect(child.get_absolute_url())
