"""The consent document in the clinic settings: its versions, and publishing a new one.
A version patients have signed never changes; a change is a new version, shown to every
patient who signs from then on."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from clinic.forms import PlainTextForm, UntaggedForm
from clinic.settings_pages import SettingsPage, register_settings_page
from intake.models import ConsentDocument, ConsentSignature

register_settings_page(
    SettingsPage(
        "Consent document",
        "intake:settings_consent",
        "intake.add_consentdocument",
        "The consent patients sign in their intake; a change is a new version.",
        60,
    )
)


class ConsentVersionForm(UntaggedForm, PlainTextForm, forms.ModelForm):
    class Meta:
        model = ConsentDocument
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}


@permission_required(
    ["intake.view_consentdocument", "intake.add_consentdocument"], raise_exception=True
)
@require_http_methods(["GET", "POST"])
def settings_consent(request):
    current = ConsentDocument.objects.current()
    initial = {"title": current.title, "body": current.body} if current else {}
    form = ConsentVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        latest = ConsentDocument.objects.aggregate(latest=Max("version"))["latest"] or 0
        form.instance.version = latest + 1
        try:
            with transaction.atomic():
                document = form.save()
        except IntegrityError:
            # The version number is unique: someone published the same moment.
            form.add_error(None, "Someone else published a version a moment ago. Check it below.")
        else:
            messages.success(
                request, f"Version {document.version} published: patients sign it from now on."
            )
            return redirect("intake:settings_consent")
    signed = dict(
        ConsentSignature.objects.values_list("document").annotate(count=Count("pk")).order_by()
    )
    versions = list(ConsentDocument.objects.order_by("-version"))
    for version in versions:
        version.signed = signed.get(version.pk, 0)
    return render(
        request,
        "intake/settings/consent.html",
        {"form": form, "versions": versions, "current": current},
    )
