"""Forms of the clinic settings pages: each says what is wrong in plain words."""

import secrets

from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from clinic.closing import booked_outside, mark_to_rebook
from clinic.forms import (
    ClinicTimeForm,
    DateInput,
    PlainTextForm,
    UntaggedForm,
    refuse_unless_saved_anyway,
    save_anyway_field,
)
from clinic.models import Closure, OpeningHours, Room, Route, User
from clinic.roles import Role


class RoomForm(UntaggedForm, PlainTextForm, forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "routes", "turnover_minutes", "active", "notes"]
        widgets = {
            "routes": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"name": "Name", "routes": "Equipped for", "active": "In use"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["routes"].queryset = Route.objects.order_by("name")


class WeekdayHoursForm(UntaggedForm, forms.Form):
    """One weekday's opening hours, or closed all day; what that leaves booked outside the
    clinic's time is listed first, and saved anyway only when asked."""

    closed = forms.BooleanField(label="Closed all day", required=False)
    opens_at = forms.TimeField(
        label="Opens",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    closes_at = forms.TimeField(
        label="Closes",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    save_anyway = save_anyway_field()

    def __init__(self, *args, weekday, hours=None, **kwargs):
        self.weekday, self.hours = weekday, hours
        initial = {"closed": hours is None}
        if hours is not None:
            initial |= {"opens_at": hours.opens_at, "closes_at": hours.closes_at}
        super().__init__(*args, initial=initial, **kwargs)
        self.booked = []

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("closed"):
            change = OpeningHours(weekday=self.weekday)
        else:
            opens, closes = data.get("opens_at"), data.get("closes_at")
            if opens is None or closes is None:
                raise ValidationError("Enter when the clinic opens and closes, or tick Closed.")
            if closes <= opens:
                self.add_error("closes_at", "The closing time must be after the opening time.")
                return data
            change = OpeningHours(
                pk=getattr(self.hours, "pk", None),
                weekday=self.weekday,
                opens_at=opens,
                closes_at=closes,
            )
        self.change = change
        self.booked = booked_outside(change)
        refuse_unless_saved_anyway(self.booked, data)
        return data

    def save(self):
        if self.cleaned_data["closed"]:
            if self.hours is not None:
                self.hours.delete()
        elif self.hours is not None:
            self.hours.opens_at = self.change.opens_at
            self.hours.closes_at = self.change.closes_at
            self.hours.save()
        else:
            self.change.save()
        mark_to_rebook(self.booked)
        return self.booked


class ClosureForm(UntaggedForm, PlainTextForm, ClinicTimeForm):
    class Meta:
        model = Closure
        fields = ["starts_on", "ends_on", "reason"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}
        labels = {"starts_on": "First closed day", "ends_on": "Last closed day"}

    def save(self, commit=True):
        closure = super().save(commit=commit)
        mark_to_rebook(self.booked)
        return closure


ROLE_CHOICES = [
    ("", "No role (cannot open patient pages)"),
    *((role, role) for role in Role.values),
]


class StaffForm(UntaggedForm, PlainTextForm, forms.ModelForm):
    role = forms.ChoiceField(choices=ROLE_CHOICES, required=False)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "role", "is_active"]
        labels = {"is_active": "Active (can log in)"}
        help_texts = {
            "is_active": "Untick when someone leaves: their name stays on what they recorded."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].required = True
        if self.instance.pk:
            names = [group.name for group in self.instance.groups.all()]
            self.initial["role"] = next((name for name in names if name in Role.values), "")
        else:
            self.fields["is_active"].initial = True

    def save(self, commit=True):
        user = super().save(commit=False)
        new = user.pk is None
        if new:
            # They choose their own password from the email sent to them.
            user.set_password(secrets.token_urlsafe(32))
        user.save()
        keep = (
            [group for group in user.groups.all() if group.name not in Role.values]
            if not new
            else []
        )
        role = self.cleaned_data["role"]
        user.groups.set([*keep, *([Group.objects.get(name=role)] if role else [])])
        return user
