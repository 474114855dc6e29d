"""Template filters for the advisor's answers: costs, volumes and labels in words."""

from django import template

from advisor import charts, selectors
from advisor.engine import text

register = template.Library()


@register.filter
def usd(value) -> str:
    """A cost to the cent, as the admin shows the engine's figures."""
    return text.usd(value, cents=True)


# Money and volumes for people: two significant figures in sentences ("about
# $9,100 a month"), whole dollars in tables.
usd_approx = register.filter("usd_approx", text.usd_approx)
usd_whole = register.filter("usd_whole", charts.usd_whole)
requests_approx = register.filter("requests_approx", charts.requests_approx)
break_even_words = register.filter("break_even_words", charts.break_even_words)

path_label = register.filter("path_label", selectors.path_label)
option_label = register.filter("option_label", selectors.option_label)
warning_heading = register.filter("warning_heading", selectors.warning_heading)
compliance_heading = register.filter("compliance_heading", selectors.compliance_heading)
ruled_out_heading = register.filter("ruled_out_heading", selectors.ruled_out_heading)
