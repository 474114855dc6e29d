from django import template

from desk.dashboard import dashboard_get

register = template.Library()


@register.inclusion_tag("admin/desk/dashboard.html", takes_context=True)
def admin_dashboard(context) -> dict:
    request = context["request"]
    return {"dashboard": dashboard_get(user=request.user), "request": request}
