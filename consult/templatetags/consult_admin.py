from django import template

from consult.dashboard import dashboard_get

register = template.Library()


@register.inclusion_tag("admin/consult/dashboard.html", takes_context=True)
def admin_dashboard(context) -> dict:
    request = context["request"]
    return {"dashboard": dashboard_get(user=request.user), "request": request}
