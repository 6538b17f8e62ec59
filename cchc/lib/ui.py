"""Template tags every page has (registered as a builtin library in settings.TEMPLATES).

{% error_summary %}: the GOV.UK Design System's error summary. base.html calls it once above
the page's content, so every page with a form that failed validation gets, without per-page
code, a box at the top (role=alert) listing each problem as a link to its field (#id_...).
The field itself is marked by Django (aria-invalid, aria-describedby="id_..._error") and shows
its message through the shared field template (cchc/forms/field.html)."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.template.loader import render_to_string

register = template.Library()


def _forms_in(context: template.Context) -> list[BaseForm]:
    found: list[BaseForm] = []
    seen: set[int] = set()
    for value in context.flatten().values():
        candidates: list[Any] = []
        if isinstance(value, BaseForm):
            candidates = [value]
        elif isinstance(value, BaseFormSet) and value.is_bound:
            candidates = list(value.forms)
        for form in candidates:
            # Only forms already validated by the view: asking .errors of an unvalidated bound
            # form would validate it here, inside a template.
            if id(form) not in seen and form.is_bound and getattr(form, "_errors", None):
                seen.add(id(form))
                found.append(form)
    return found


def summary_items(form: BaseForm) -> list[dict[str, str]]:
    """(message, #anchor) for each error of `form`: a field's go to that field, the form's own
    (non-field) ones to the form's first visible field."""
    items = []
    for name, errors in form.errors.items():
        if name in form.fields:
            bound = form[name]
            anchor = bound.id_for_label or bound.auto_id or ""
            label = str(bound.label or name)
            for error in errors:
                items.append(
                    {"text": str(error), "href": f"#{anchor}" if anchor else "", "label": label}
                )
        else:
            first = next(iter(form.visible_fields()), None)
            anchor = (first.id_for_label or "") if first is not None else ""
            for error in errors:
                items.append(
                    {"text": str(error), "href": f"#{anchor}" if anchor else "", "label": ""}
                )
    return items


@register.simple_tag(takes_context=True)
def error_summary(context: template.Context, *forms: BaseForm) -> str:
    """The error summary of the given forms, or of every validated form in the context."""
    chosen = [f for f in forms if f is not None and f.is_bound and f.errors] or _forms_in(context)
    items = [item for form in chosen for item in summary_items(form)]
    if not items:
        return ""
    return render_to_string("cchc/forms/error_summary.html", {"items": items})
