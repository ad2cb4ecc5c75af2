"""The test run's form renderer: whatever the Python writers produce is compared with what
Django's templates produce for the same context, for every form any test renders."""

from django.forms.renderers import DjangoTemplates

from bridgework.web.form_renderer import FormRenderer


class RenderedDifferently(AssertionError):
    pass


class CheckedFormRenderer(FormRenderer):
    def __init__(self) -> None:
        super().__init__()
        self._templates = DjangoTemplates()

    def render(self, template_name, context, request=None):
        written = super().render(template_name, context, request)
        expected = self._templates.render(template_name, context, request)
        if written != expected:
            raise RenderedDifferently(
                f"{template_name}: Python wrote\n{written!r}\nthe template\n{expected!r}"
            )
        return written
