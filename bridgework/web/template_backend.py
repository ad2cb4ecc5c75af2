"""Django's template engine, with each page's context let go of as soon as the page is written.

Every layer of a Django template context points back at the context that holds it
(``ContextDict.context``), so a rendered context is a reference cycle: whatever a page was
given (its 50 records, their joined records, its rows and form) outlives the request until
the cyclic garbage collector runs, which then has to trace it all. Emptying the context's
layers after rendering breaks the cycle, so reference counting frees them at once
(decision 0014). Nothing reads a context after its template is rendered; the test client's
``response.context`` holds copies of the layers, made while rendering."""

from __future__ import annotations

from django.template import TemplateDoesNotExist
from django.template.backends.django import DjangoTemplates, Template, reraise
from django.template.context import make_context

__all__ = ["ReleasingTemplates"]


class ReleasingTemplates(DjangoTemplates):
    """``DjangoTemplates`` whose templates release their context after rendering."""

    def from_string(self, template_code):
        return ReleasingTemplate(self.engine.from_string(template_code), self)

    def get_template(self, template_name):
        try:
            return ReleasingTemplate(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            reraise(exc, self)


class ReleasingTemplate(Template):
    def render(self, context=None, request=None):
        made = make_context(context, request, autoescape=self.backend.engine.autoescape)
        try:
            return self.template.render(made)
        except TemplateDoesNotExist as exc:
            reraise(exc, self.backend)
        finally:
            made.dicts.clear()
            made.render_context.dicts.clear()
