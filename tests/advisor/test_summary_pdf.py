"""The assessment summary PDF itself: verdict, use cases, prices, links, pages,
any common script, and its file name."""

import io

import pytest
from pypdf import PdfReader

from advisor.engine import ENGINE_VERSION
from advisor.models import UseCase
from advisor.pdf import assessment_summary_pdf, summary_filename
from advisor.pdf_style import CJK_FONTS, text
from advisor.selectors import assessment_summary_data
from advisor.services import assessment_submit
from consult.timezones import date_label
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.helpers.answers import answer_2026_2, as_2026_1, store_answer
from tests.helpers.summary_pdf import links_of, submitted, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


# A share token as the worker would make one (43 URL-safe characters).
SHARE_TOKEN = "share-token-abcdefghijklmnopqrstuvwxyz012345"


def pdf_of(assessment, *, share_token) -> PdfReader:
    summary = assessment_summary_data(assessment=assessment, share_token=share_token)
    return PdfReader(io.BytesIO(assessment_summary_pdf(summary=summary)))


def test_summary_pdf_holds_verdict_use_cases_prices_and_links(
    django_capture_on_commit_callbacks, active_price_book
):
    assessment = submitted(django_capture_on_commit_callbacks)

    reader = pdf_of(assessment, share_token=SHARE_TOKEN)

    text = text_of(reader)
    share_url = f"http://testserver/assess/shared/{SHARE_TOKEN}/"
    booking_url = "http://testserver/book/"
    assert 1 <= len(reader.pages) <= 4
    assert text.splitlines()[:2] == [
        "CONSULT · YOUR AI STACK SUMMARY · ANALYTICAL ENGINES LTD",
        "Your stack: Hybrid",
    ]
    assert "What it costs, all 3 use cases together" in text
    assert [
        name
        for name in ("Support summaries", "Invoice fields", "Card fraud")
        if text.count(name) == 2  # the overview and its own section
    ] == ["Support summaries", "Invoice fields", "Card fraud"]
    assert [
        label
        for label in ("Buy an API", "Fine-tune a small model", "Classical ML")
        if label in text
    ] == ["Buy an API", "Fine-tune a small model", "Classical ML"]
    as_of = date_label(active_price_book.as_of)
    assert f"“{active_price_book.name}”, prices as of {as_of}." in text
    assert f"Engine version {ENGINE_VERSION}." in text
    # Every option priced, in a table per use case, the chosen one named first.
    assert text.count("Your options side by side") == 3
    assert text.count("Recommended: ") == 3
    assert share_url in text
    assert "read only, safe to pass on" in text
    assert booking_url in text
    assert links_of(reader) == [share_url, booking_url]
    # The client's private link is in their own emails only, never in the PDF.
    assert assessment.token not in text
    assert f"/assess/{assessment.token}/" not in " ".join(links_of(reader))
    assert reader.metadata.title == "Your AI stack summary for Analytical Engines Ltd"


def test_summary_pdf_numbers_its_pages(django_capture_on_commit_callbacks):
    assessment = submitted(django_capture_on_commit_callbacks)

    reader = pdf_of(assessment, share_token=SHARE_TOKEN)

    total = len(reader.pages)
    footers = [page.extract_text().splitlines()[-2:] for page in reader.pages]
    assert footers == [
        [
            f"Consult · AI stack summary · Analytical Engines Ltd · engine {ENGINE_VERSION}",
            f"Page {number} of {total}",
        ]
        for number in range(1, total + 1)
    ]


def test_summary_pdf_draws_a_chart_per_use_case_and_a_break_even_per_language_one(
    django_capture_on_commit_callbacks,
):
    assessment = submitted(django_capture_on_commit_callbacks)

    text = text_of(pdf_of(assessment, share_token=None))

    assert text.count("Cost over three years") == 3
    assert text.count("Requests a month") == 2  # fraud scoring has no break-even
    assert text.count("You: 20k/month") + text.count("You: 50k/month") == 2
    assert text.count("Break-even: ") == 2
    words = " ".join(text.split())
    assert words.count("Running a model yourself becomes cheaper than the API") == 2
    assert "· recommended" in text


def test_summary_pdf_of_a_2026_2_answer_has_totals_options_warnings_rules_and_flips(
    django_capture_on_commit_callbacks,
):
    assessment = submitted(django_capture_on_commit_callbacks)
    store_answer(assessment, answer_2026_2())

    text = " ".join(text_of(pdf_of(assessment, share_token=None)).split())

    assert (
        "A month, to run Once, to set up Over three years, people included "
        "$820 $36,000 $220,000"
    ) in text
    assert (
        "Recommended: A small model through an API (GPT-5.4 nano), about $570 a "
        "month to run and $54,000 over three years with the people it needs."
    ) in text
    assert (
        "No option meets the answer time you asked for No option can write 250 "
        "tokens within 100 ms"
    ) in text
    assert "Too little data to train a model yet" in text
    # Ruled out, with the reason; the table's figures in whole dollars.
    assert (
        "An open-weight model, hosted for you · ruled out Qwen3-8B hosted by "
        "Fireworks Not good enough for this task. An untuned 8B model is not "
        "strong enough for this task. $360 $5,800 $833 $48,760"
    ) in text
    assert (
        "Running a model yourself becomes cheaper than the API between about 1.5M "
        "and 23M requests a month. You expect about 20k."
    ) in text
    assert "What would change this" in text
    assert "From about 9.5M requests a month, owning the model" in text
    assert text.count("not legal advice") == 3
    assert "GDPR: a data processing agreement. Sign a data processing" in text
    assert "PCI DSS: card data in scope." in text
    # Prose never carries figures to the cent or the unit.
    assert "4,363,778" not in text
    assert "$24,032.28" not in text
    assert "$833.33" not in text


def test_summary_pdf_of_a_2026_1_answer_names_its_engine_and_shows_its_costs(
    django_capture_on_commit_callbacks,
):
    assessment = submitted(django_capture_on_commit_callbacks)
    store_answer(assessment, as_2026_1(answer_2026_2()))

    reader = pdf_of(assessment, share_token=None)

    text = " ".join(text_of(reader).split())
    assert (
        "Engine version 2026.1, which did not yet compare options side by side."
    ) in text
    assert reader.pages[0].extract_text().splitlines()[-2].endswith("· engine 2026.1")
    assert "Cost over three years" not in text
    assert "What it costs" not in text
    assert "Recommended: " not in text
    assert "API, a month $570 Self-hosted, a month $1,175" in text
    assert "Break-even volume about 4.4M a month" in text
    assert "Token prices don't apply" in text


def test_summary_pdf_without_a_share_token_links_to_booking_only(
    django_capture_on_commit_callbacks,
):
    assessment = submitted(django_capture_on_commit_callbacks)

    reader = pdf_of(assessment, share_token=None)

    assert links_of(reader) == ["http://testserver/book/"]
    assert "/assess/" not in text_of(reader)


def test_summary_pdf_prints_markup_in_answers_as_text(
    django_capture_on_commit_callbacks,
):
    assessment = submitted(django_capture_on_commit_callbacks, company="R&D <Labs>")

    text = text_of(pdf_of(assessment, share_token=None))

    assert "Prepared for R&D <Labs> on " in text


@pytest.mark.parametrize(
    ("company", "names"),
    [
        # Letters Helvetica's encoding lacks: Polish, Czech, Turkish, Romanian.
        ("Zakłady Łódź Sp. z o.o.", ("Ocena ryzyka kredytów", "Třídění e-mailů")),
        ("Yılmaz Şirketi", ("Müşteri özetleri", "Sumarizare în română")),  # noqa: RUF001 -- Turkish dotless i, on purpose
        # Greek, Cyrillic and Vietnamese.
        ("Σύνοψη Α.Ε.", ("Классификация заявок", "Tóm tắt hợp đồng")),  # noqa: RUF001 -- Greek capitals, on purpose
        # Japanese, Chinese and Korean, in the PDF's standard CJK fonts.
        ("株式会社テスト", ("問い合わせの分類", "合同摘要")),
        ("한국데이터 주식회사", ("고객 문의 분류", "Invoice fields")),
    ],
)
def test_summary_pdf_keeps_names_in_any_common_script(
    django_capture_on_commit_callbacks, company, names
):
    assessment = submitted(django_capture_on_commit_callbacks, company=company)
    for use_case, name in zip(
        UseCase.objects.filter(assessment=assessment).order_by("position"),
        names,
        strict=False,
    ):
        use_case.name = name
        use_case.save(update_fields=["name"])

    reader = pdf_of(assessment, share_token=None)

    text_ = text_of(reader)
    assert f"Prepared for {company} on " in text_
    assert all(text_.count(name) == 2 for name in names)  # overview and section
    assert reader.pages[0].extract_text().splitlines()[-2] == (
        f"Consult · AI stack summary · {company} · engine {ENGINE_VERSION}"
    )
    assert reader.metadata.title == f"Your AI stack summary for {company}"


def test_summary_text_sets_cjk_runs_in_a_cjk_font_and_escapes_markup():
    assert text("R&D <Labs> Ørsted Ελλάς") == "R&amp;D &lt;Labs&gt; Ørsted Ελλάς"
    assert text("Acme 株式会社テスト & Co") == (
        f'Acme <font name="{CJK_FONTS["ja"]}">株式会社テスト</font> &amp; Co'
    )
    assert (
        text("北京数据 <1>")
        == f'<font name="{CJK_FONTS["zh"]}">北京数据</font> &lt;1&gt;'
    )
    assert text("한국 회사") == (
        f'<font name="{CJK_FONTS["ko"]}">한국</font> <font name="{CJK_FONTS["ko"]}">회사</font>'
    )


@pytest.mark.parametrize(
    ("company", "filename"),
    [
        ("Analytical Engines Ltd", "consult-summary-analytical-engines-ltd.pdf"),
        ('Ça & Co: "Ünï"/..\\', "consult-summary-ca-co-uni.pdf"),
        ("Zakłady Łódź Sp. z o.o.", "consult-summary-zaklady-lodz-sp-z-o-o.pdf"),
        ("Ørsted Æble ß", "consult-summary-orsted-aeble-ss.pdf"),
        ("Tóm tắt Đà Nẵng", "consult-summary-tom-tat-da-nang.pdf"),
        ("", "consult-summary.pdf"),
        ("日本", "consult-summary.pdf"),
    ],
)
def test_summary_filename_is_a_safe_slug(company, filename):
    assert summary_filename(company) == filename


def test_summary_pdf_of_one_use_case_says_what_it_costs_without_counting(
    django_capture_on_commit_callbacks, active_price_book
):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment, name="Support summaries")
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=assessment)

    text = text_of(pdf_of(assessment, share_token=SHARE_TOKEN))

    assert "What it costs" in text
    assert "use case together" not in text
    assert "all 1 " not in text
