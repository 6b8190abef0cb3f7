"""Forms of the controlled-substance pages: each says what is wrong in plain words."""

from decimal import Decimal

from crispy_forms.layout import Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.forms import DateInput, PlainTextForm, UntaggedForm
from controlled.models import (
    Container,
    CountKind,
    Disposal,
    LossReport,
    Product,
    StorageLocation,
    Supplier,
)
from controlled.validators import validate_dea_number
from controlled.witness import witness_confirm

AMOUNT = {"max_digits": 9, "decimal_places": 3, "min_value": Decimal("0.001")}
# Records are kept for two years (21 CFR 1304.04): nothing older is entered here.
OLDEST_DAYS = 2 * 366


def ensure_recent(day, what):
    today = timezone.localdate()
    if day > today:
        raise ValidationError(f"The {what} cannot be in the future.")
    if (today - day).days > OLDEST_DAYS:
        raise ValidationError(f"The {what} is more than two years ago. Check the year.")
    return day


class _Form(UntaggedForm, PlainTextForm):
    pass


class WitnessForm(_Form, forms.Form):
    """A form that a second member of staff confirms with their password (and code).

    `self.witness` is that person once the form is valid."""

    witness_title = "Witness"

    witness_email = forms.EmailField(
        label="Second person's email",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    witness_password = forms.CharField(
        label="Second person's password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    witness_code = forms.CharField(
        label="Second person's code: the 6 digits from their authenticator app, or one of "
        "their recovery codes",
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off"}),
    )

    def __init__(self, *args, request, **kwargs):
        self.request = request
        self.witness = None
        super().__init__(*args, **kwargs)
        # The witness's fields come last, after what they confirm.
        for name in ("witness_email", "witness_password", "witness_code"):
            self.fields[name] = self.fields.pop(name)

    def check(self, data):
        """The form's own rules across fields, checked before the second person's password
        (whose code is then not used up on a form that is sent back anyway)."""

    def clean(self):
        data = super().clean()
        self.check(data)
        if self.errors:
            return data
        try:
            self.witness = witness_confirm(
                self.request,
                email=data.get("witness_email"),
                password=data.get("witness_password"),
                code=data.get("witness_code"),
            )
        except ValidationError as error:
            # A wrong password or code belongs to its box; who the person is, to the form.
            field = {"wrong_password": "witness_password", "wrong_code": "witness_code"}
            self.add_error(field.get(error.code), error)
        return data


def in_stock_choices(drug=None):
    containers = (
        Container.objects.in_stock()
        .select_related("product", "location")
        .order_by("product__name", "expires_on", "pk")
    )
    return containers.filter(product__drug=drug) if drug else containers


class ContainerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, container):
        today = timezone.localdate()
        expiry = (
            "EXPIRED" if container.expired_on(today) else f"exp {container.expires_on:%b %-d, %Y}"
        )
        state = "opened" if container.opened_at else "sealed"
        return (
            f"{container.product.name}, lot {container.lot_number}, #{container.label} "
            f"({state}, {expiry}, {container.location})"
        )


class ReceiptForm(WitnessForm):
    supplier = forms.ModelChoiceField(queryset=None, empty_label="Choose the supplier")
    invoice_number = forms.CharField(max_length=40)
    received_on = forms.DateField(label="Date received", widget=DateInput())
    product = forms.ModelChoiceField(queryset=None, empty_label="Choose the product")
    lot_number = forms.CharField(max_length=40)
    expires_on = forms.DateField(label="Expiry date", widget=DateInput())
    container_count = forms.IntegerField(
        label="Number of vials or devices", min_value=1, max_value=500
    )
    location = forms.ModelChoiceField(
        label="Put into", queryset=None, empty_label="Choose where it is stored"
    )
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.filter(active=True)
        self.fields["product"].queryset = Product.objects.filter(active=True)
        self.fields["location"].queryset = StorageLocation.objects.filter(active=True)
        self.fields["witness_email"].label = "Checked by: email"
        self.fields["witness_password"].label = "Checked by: password"
        self.fields[
            "witness_code"
        ].label = "Checked by: the 6 digits from their authenticator app, or a recovery code"
        self.initial.setdefault("received_on", timezone.localdate())

    def clean_received_on(self):
        return ensure_recent(self.cleaned_data["received_on"], "date received")

    def check(self, data):
        expires, received = data.get("expires_on"), data.get("received_on")
        if expires and received and expires < received:
            self.add_error("expires_on", "This lot had expired before it was received.")


class DrawForm(_Form, forms.Form):
    container = ContainerChoiceField(queryset=None, empty_label="Choose the vial or device")
    mg = forms.DecimalField(label="Amount drawn (mg)", **AMOUNT)

    def __init__(self, *args, drug, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["container"].queryset = in_stock_choices(drug)


class WasteForm(WitnessForm):
    mg = forms.DecimalField(label="Amount wasted (mg)", **AMOUNT)
    reason = forms.CharField(
        max_length=300, initial="Remainder of a single-dose container after the dose"
    )


class RecordWasteForm(WasteForm):
    """Waste from the session record page: which opened container, then the amount."""

    container = ContainerChoiceField(queryset=None, empty_label="Choose the opened container")

    def __init__(self, *args, containers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["container"].queryset = containers
        self.order_fields(["container", "mg", "reason"])


class TransferForm(_Form, forms.Form):
    to = forms.ModelChoiceField(
        label="Move to", queryset=None, empty_label="Choose the storage location"
    )

    def __init__(self, *args, container, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = StorageLocation.objects.filter(active=True).exclude(
            pk=container.location_id
        )


class CorrectionForm(_Form, forms.Form):
    reason = forms.CharField(
        label="What was wrong with the entry",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DisposalForm(WitnessForm):
    kind = forms.ChoiceField(choices=Disposal.Kind.choices, widget=forms.RadioSelect)
    containers = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label="Containers (all that is left)"
    )
    on = forms.DateField(label="Date", widget=DateInput())
    reverse_distributor = forms.CharField(max_length=120, required=False)
    reverse_distributor_address = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reverse_distributor_dea_number = forms.CharField(
        label="Reverse distributor's DEA number", max_length=9, required=False
    )
    method = forms.CharField(label="Method of destruction", max_length=120, required=False)
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["containers"]
        field.queryset = in_stock_choices()
        field.label_from_instance = ContainerChoiceField.label_from_instance.__get__(field)
        self.initial.setdefault("on", timezone.localdate())

    def clean_reverse_distributor_dea_number(self):
        number = self.cleaned_data["reverse_distributor_dea_number"].strip().upper()
        if number:
            validate_dea_number(number)
        return number

    def check(self, data):
        if data.get("kind") == Disposal.Kind.RETURN:
            for name in (
                "reverse_distributor",
                "reverse_distributor_address",
                "reverse_distributor_dea_number",
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "A return needs the reverse distributor's details.")
        elif data.get("kind") == Disposal.Kind.DESTRUCTION and not data.get("method"):
            self.add_error("method", "Say how it was destroyed (DEA Form 41 asks).")


class LossForm(_Form, forms.Form):
    kind = forms.ChoiceField(choices=LossReport.Kind.choices, widget=forms.RadioSelect)
    container = ContainerChoiceField(queryset=None, empty_label="Choose the container")
    mg = forms.DecimalField(label="Amount missing (mg)", **AMOUNT)
    discovered_on = forms.DateField(label="Date discovered", widget=DateInput())
    discovered_time = forms.TimeField(
        label="Time discovered", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    police_notified = forms.BooleanField(required=False)
    police_report = forms.CharField(label="Police report number", max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["container"].queryset = in_stock_choices()
        now = timezone.localtime()
        self.initial.setdefault("discovered_on", now.date())
        self.initial.setdefault("discovered_time", now.time().replace(second=0, microsecond=0))

    def clean_discovered_on(self):
        return ensure_recent(self.cleaned_data["discovered_on"], "date discovered")

    def clean(self):
        data = super().clean()
        container, day = data.get("container"), data.get("discovered_on")
        if container and day and day < container.receipt.received_on:
            self.add_error(
                "discovered_on",
                f"This container was received on {container.receipt.received_on:%b %-d, %Y}: "
                "it cannot have gone missing before.",
            )
        return data


class LossNoticeForm(_Form, forms.Form):
    reported_on = forms.DateField(label="Date DEA was told", widget=DateInput())
    reference = forms.CharField(label="DEA Form 106 reference", max_length=60)

    def __init__(self, *args, report, **kwargs):
        self.report = report
        super().__init__(*args, **kwargs)

    def clean_reported_on(self):
        day = ensure_recent(self.cleaned_data["reported_on"], "date DEA was told")
        discovered = timezone.localdate(self.report.discovered_at)
        if day < discovered:
            raise ValidationError(
                f"The loss was discovered on {discovered:%b %-d, %Y}: DEA was told after that."
            )
        return day


class CountStartForm(_Form, forms.Form):
    kind = forms.ChoiceField(choices=CountKind.choices, initial=CountKind.DAILY)
    location = forms.ModelChoiceField(queryset=None, empty_label="Choose the storage location")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_method = "get"  # its choices go in the address: never a token
        self.fields["location"].queryset = StorageLocation.objects.filter(active=True)


class CountForm(WitnessForm):
    """One line per container: the mL counted and, where it differs, why.

    The lines are drawn as a table by the template; crispy draws the rest."""

    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, containers, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("note", "witness_email", "witness_password", "witness_code")
        self.containers = list(containers)
        for container in self.containers:
            self.fields[f"ml_{container.pk}"] = forms.DecimalField(
                label=f"mL in #{container.label}",
                max_digits=9,
                decimal_places=3,
                min_value=0,
                max_value=container.product.container_ml,
            )
            self.fields[f"why_{container.pk}"] = forms.CharField(
                label=f"Why #{container.label} differs", max_length=300, required=False
            )
        self.order_fields([name for c in self.containers for name in (f"ml_{c.pk}", f"why_{c.pk}")])

    def rows(self):
        return [
            (container, self[f"ml_{container.pk}"], self[f"why_{container.pk}"])
            for container in self.containers
        ]

    def counted(self):
        return {
            container: (
                self.cleaned_data[f"ml_{container.pk}"],
                self.cleaned_data[f"why_{container.pk}"],
            )
            for container in self.containers
        }


class ResolutionForm(_Form, forms.Form):
    note = forms.CharField(
        label="What was found and decided", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    adjust = forms.BooleanField(
        label="Bring the ledger to the counted amount (a count adjustment entry)", required=False
    )
