"""The advisor's template filters: costs and path labels as pages and emails show them."""

from advisor.templatetags import advisor_format


def test_usd_template_filter_writes_costs_to_the_cent():
    assert (advisor_format.usd(0.0025), advisor_format.usd(None)) == (
        "$0.00",
        "\u2014",
    )


def test_path_label_template_filter_names_the_path_or_keeps_an_unknown_key():
    assert (advisor_format.path_label("api"), advisor_format.path_label("x")) == (
        "Buy an API",
        "x",
    )
