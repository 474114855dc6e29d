"""The advisor's template filters: costs, volumes and the engine's codes as pages and
emails show them."""

from advisor.templatetags import advisor_format


def test_usd_template_filter_writes_costs_to_the_cent():
    assert (advisor_format.usd(0.0025), advisor_format.usd(None)) == (
        "$0.00",
        "\u2014",
    )


def test_sums_read_to_two_significant_figures_in_words_and_whole_in_tables():
    assert [advisor_format.usd_approx(value) for value in (32.28, 389_338, None)] == [
        "$32",
        "$390,000",
        "\u2014",
    ]
    assert advisor_format.usd_whole(54_320.4) == "$54,320"


def test_volumes_and_break_even_read_to_two_significant_figures():
    assert advisor_format.requests_approx(4_363_778) == "4.4M"
    assert advisor_format.break_even_words([1_500_000, 23_000_000]) == (
        "between about 1.5M and 23M requests a month"
    )


def test_path_label_template_filter_names_the_path_or_keeps_an_unknown_key():
    assert (advisor_format.path_label("api"), advisor_format.path_label("x")) == (
        "Buy an API",
        "x",
    )


def test_codes_read_in_words_and_an_unknown_one_still_reads():
    assert advisor_format.option_label("api_batch") == "A model API's batch service"
    assert advisor_format.option_label("new_kind") == "New kind"
    assert advisor_format.warning_heading("context_too_long") == (
        "Your prompts are longer than most models accept"
    )
    assert advisor_format.warning_heading("new_warning") == "Please note"
    assert advisor_format.compliance_heading("hipaa_baa") == (
        "HIPAA: a business associate agreement"
    )
    assert advisor_format.compliance_heading("new_rule") == "A rule to check"
    assert advisor_format.ruled_out_heading("data_must_stay") == (
        "Your data must stay in-house"
    )
