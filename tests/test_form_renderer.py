"""The form renderer writes Django's plainest widget templates in Python: byte for byte what the
templates give (the test run also checks every form any test renders: tests/form_rendering.py),
and leaves any other or overridden template to the engine."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from bridgework.web.form_renderer import SELECT, FormRenderer

CHOICES = [
    ("", "---------"),
    ("a&b", "A <b>&</b> B"),
    (3, gettext_lazy("Yes")),
    ("Group <1>", [("g1", "In group"), ("g2", mark_safe("<em>safe</em>"))]),
]


class EveryWidget(forms.Form):
    text = forms.CharField(label="Name <&>", help_text="help", max_length=20)
    number = forms.IntegerField(label=mark_safe("<i>Count</i>"), required=False)
    amount = forms.DecimalField(required=False)
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    email = forms.EmailField(required=False)
    flag = forms.BooleanField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    one = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    searched = forms.CharField(
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "data-x": 'say "hi" <b>', "autofocus": True, "off": False}
        ),
    )


BOUND = {
    "text": 'O\'Brien & "Sons" <script>',
    "number": "12",
    "amount": "1234.50",
    "when": "2026-12-04",
    "hidden": "<h>",
    "secret": "p&w",
    "email": "not an email",
    "flag": "on",
    "notes": "line one\n<b>two</b>",
    "one": "a&b",
    "many": ["3", "g2"],
    "searched": "x",
}


def _both_ways(form: forms.Form) -> list[tuple[str, str]]:
    ours, django = FormRenderer(), DjangoTemplates()
    pairs = []
    for renderer in (ours, django):
        form.renderer = renderer
        pairs.append("".join(f"{field.label_tag()}{field}{field.errors}" for field in form))
    return pairs


@pytest.mark.parametrize("data", [None, BOUND, {"text": ""}], ids=["unbound", "bound", "invalid"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_plain_widget_is_written_as_its_template_writes_it(data, language):
    form = EveryWidget(data, initial={"amount": Decimal("1234.5"), "when": date(2026, 12, 4)})
    if data is not None:
        form.is_valid()
    with override(language):
        written, templated = _both_ways(form)
    assert written == templated
    assert "<select" in written and "<textarea" in written and "<optgroup" in written


def test_values_and_labels_are_escaped():
    form = EveryWidget(BOUND)
    form.is_valid()
    html, _ = _both_ways(form)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'data-x="say &quot;hi&quot; &lt;b&gt;"' in html
    assert " autofocus" in html and " off" not in html
    assert "<em>safe</em>" in html  # a label marked safe stays markup, as in the template


def test_an_option_of_its_own_template_renders_the_select_through_the_templates():
    class OwnOption(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    class Form(forms.Form):
        pick = forms.ChoiceField(choices=[("x", "X")], widget=OwnOption)

    written, templated = _both_ways(Form())
    assert written == templated and "<input" in written


def test_a_template_an_app_overrides_is_rendered_by_the_engine(tmp_path: Path, settings):
    own = tmp_path / "django" / "forms" / "widgets"
    own.mkdir(parents=True)
    (own / "select.html").write_text('<select name="{{ widget.name }}" data-own></select>')
    renderer = FormRenderer()
    renderer.engine.engine.dirs = [str(tmp_path), *renderer.engine.engine.dirs]
    renderer.engine.engine.template_loaders[0].reset()  # type: ignore[attr-defined]
    field = forms.ChoiceField(choices=[("x", "X")])
    html = field.widget.render("pick", "x", renderer=renderer)
    assert html == '<select name="pick" data-own></select>'
    assert renderer._writable[SELECT] is False


def test_a_kept_option_is_written_again_in_another_language_and_state():
    """Options are kept once written; the same choice in another language, or selected, is
    another option, and each is what the templates write."""
    form_class = type("Choice", (forms.Form,), {"one": forms.ChoiceField(choices=CHOICES)})
    writer, templates = FormRenderer(), DjangoTemplates()
    seen = set()
    for _ in range(2):  # the second round reads what the first kept
        for language in ("en", "fr"):
            for data in (None, {"one": "3"}, {"one": "a&b"}):
                with override(language):
                    form = form_class(data=data, renderer=writer)
                    written = str(form["one"])
                    form = form_class(data=data, renderer=templates)
                    expected = str(form["one"])
                assert written == expected
                seen.add(written)
    assert len(seen) == 6
    assert any("Oui" in each for each in seen) and any(">Yes<" in each for each in seen)
