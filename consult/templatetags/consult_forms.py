"""Form markup for the public pages."""

from django import template
from django.forms import BoundField
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def widget_attrs(attrs: dict) -> SafeString:
    """A widget's attributes exactly as Django's ``attrs.html`` writes them.

    ``includes/field.html`` writes its widgets out itself: one template render per
    widget was most of a wizard page's cost.
    """
    return mark_safe(  # noqa: S308 -- every name and value is escaped here
        "".join(
            f" {escape(name)}"
            if value is True
            else f' {escape(name)}="{escape(value)}"'
            for name, value in attrs.items()
            if value is not False
        )
    )


@register.filter
def widget_data(field: BoundField) -> dict:
    """The context ``{{ field }}`` gives its widget's template, to write the widget out.

    The same attributes, in the same order, as ``BoundField.as_widget``.
    """
    widget = field.field.widget
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return widget.get_context(field.html_name, field.value(), attrs)["widget"]
