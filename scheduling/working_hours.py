"""A clinician's working hours on their staff page in the clinic settings: one row per
weekday, saved with the rest of the page (clinic.settings_pages.register_staff_part)."""

from django import forms

from clinic.models import Weekday
from clinic.roles import CLINICIAN_ROLES
from clinic.settings_pages import StaffPart, register_staff_part
from scheduling.models import ClinicianHours

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class WorkingHoursForm(forms.Form):
    """Each weekday: works or not, and from when to when. No row means not working."""

    def __init__(self, data=None, *, clinician):
        super().__init__(data, prefix="hours")
        self.clinician = clinician
        self.existing = {h.weekday: h for h in ClinicianHours.objects.filter(clinician=clinician)}
        for day in Weekday:
            hours = self.existing.get(day.value)
            self.fields[f"works_{day.value}"] = forms.BooleanField(
                label=f"Works on {day.label}s", required=False, initial=hours is not None
            )
            self.fields[f"from_{day.value}"] = forms.TimeField(
                label=f"{day.label} from",
                required=False,
                widget=TIME,
                initial=hours.starts_at if hours else None,
            )
            self.fields[f"to_{day.value}"] = forms.TimeField(
                label=f"{day.label} to",
                required=False,
                widget=TIME,
                initial=hours.ends_at if hours else None,
            )

    def rows(self):
        return [
            (day, self[f"works_{day.value}"], self[f"from_{day.value}"], self[f"to_{day.value}"])
            for day in Weekday
        ]

    def clean(self):
        data = super().clean()
        for day in Weekday:
            if not data.get(f"works_{day.value}"):
                continue
            starts, ends = data.get(f"from_{day.value}"), data.get(f"to_{day.value}")
            if starts is None or ends is None:
                self.add_error(
                    f"from_{day.value}", f"Enter the hours on {day.label}s, or untick it."
                )
            elif ends <= starts:
                self.add_error(f"to_{day.value}", "The end must be after the start.")
        return data

    def save(self):
        for day in Weekday:
            hours = self.existing.get(day.value)
            if not self.cleaned_data.get(f"works_{day.value}"):
                if hours is not None:
                    hours.delete()
                continue
            starts = self.cleaned_data[f"from_{day.value}"]
            ends = self.cleaned_data[f"to_{day.value}"]
            if hours is None:
                ClinicianHours.objects.create(
                    clinician=self.clinician, weekday=day.value, starts_at=starts, ends_at=ends
                )
            elif (hours.starts_at, hours.ends_at) != (starts, ends):
                hours.starts_at, hours.ends_at = starts, ends
                hours.save()


def _summaries(users):
    """{user pk: "Mon 8:00–18:00, Tue …"} for a page of staff, in one query."""
    rows = ClinicianHours.objects.filter(clinician__in=users).order_by("clinician", "weekday")
    found = {}
    for hours in rows:
        day = Weekday(hours.weekday).label[:3]
        text = f"{day} {hours.starts_at:%-H:%M}–{hours.ends_at:%-H:%M}"
        found[hours.clinician_id] = (
            f"{found[hours.clinician_id]}, {text}" if hours.clinician_id in found else text
        )
    return found


def _monitors(user):
    return any(group.name in CLINICIAN_ROLES for group in user.groups.all())


register_staff_part(
    StaffPart(
        title="Working hours",
        template_name="scheduling/working_hours_part.html",
        form=lambda user, data: WorkingHoursForm(data, clinician=user),
        summary=_summaries,
        applies_to=_monitors,
    )
)
