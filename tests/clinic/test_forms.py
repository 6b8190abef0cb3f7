import pytest
from django import forms
from django.test.html import parse_html

from clinic.forms import QuickSelect

CHOICES = [("", "---------"), (1, "Chair <1>"), (2, "Chair & 2")]


class Both(forms.Form):
    quick = forms.ChoiceField(choices=CHOICES, widget=QuickSelect(attrs={"class": "form-select"}))
    django = forms.ChoiceField(choices=CHOICES, widget=forms.Select(attrs={"class": "form-select"}))


@pytest.mark.parametrize("value", ["", "2", "9"])
def test_the_quick_select_writes_the_same_markup_as_django(value):
    form = Both({"quick": value, "django": value})
    form.is_valid()

    quick = str(form["quick"]).replace("quick", "FIELD")
    django = str(form["django"]).replace("django", "FIELD")

    assert parse_html(quick) == parse_html(django)  # the same elements, attributes and text
    assert "Chair &lt;1&gt;" in quick
    assert quick.count(" selected") == (1 if value in ("", "2") else 0)
