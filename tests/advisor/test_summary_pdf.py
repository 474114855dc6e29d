"""The assessment summary: the PDF itself, its build task, its email and the relay."""

import io
import logging
from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from advisor import services, tasks
from advisor.models import Assessment, UseCase
from advisor.pdf import (
    CJK_FONTS,
    assessment_summary_pdf,
    long_date,
    summary_filename,
    text,
)
from advisor.selectors import assessment_summary_data
from consult.models import OutboundEmail
from tests.factories.advisor import (
    AssessmentFactory,
    UseCaseFactory,
    three_path_use_cases,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


class Boom(Exception):
    pass


def submitted(django_capture_on_commit_callbacks, **fields) -> Assessment:
    """A submitted assessment with three use cases, one per path; no PDF yet."""
    assessment = AssessmentFactory(**fields)
    three_path_use_cases(assessment)
    with django_capture_on_commit_callbacks(execute=False):
        services.assessment_submit(assessment=assessment)
    token = assessment.token
    assessment = Assessment.objects.get(pk=assessment.pk)
    assessment.token = token
    return assessment


def pdf_of(assessment, *, token) -> PdfReader:
    summary = assessment_summary_data(assessment=assessment, token=token)
    return PdfReader(io.BytesIO(assessment_summary_pdf(summary=summary)))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def links_of(reader: PdfReader) -> list[str]:
    return [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
    ]


def stored_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()


def stored_summaries() -> list[str]:
    if not default_storage.exists("summaries"):
        return []
    return sorted(default_storage.listdir("summaries")[1])


# --- The PDF ---------------------------------------------------------------


def test_summary_pdf_holds_verdict_use_cases_prices_and_links(
    django_capture_on_commit_callbacks, active_price_book
):
    assessment = submitted(django_capture_on_commit_callbacks)

    reader = pdf_of(assessment, token=assessment.token)

    text = text_of(reader)
    result_url = f"http://testserver/assess/{assessment.token}/result/"
    booking_url = f"http://testserver/book/?assessment={assessment.token}"
    assert 1 <= len(reader.pages) <= 4
    assert text.splitlines()[:2] == [
        "CONSULT · YOUR AI STACK SUMMARY · ANALYTICAL ENGINES LTD",
        "Your stack: Hybrid",
    ]
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
    as_of = long_date(active_price_book.as_of)
    assert f"“{active_price_book.name}”, prices as of {as_of}." in text
    assert "Engine version 2026.1." in text
    assert result_url in text
    assert booking_url in text
    assert links_of(reader) == [result_url, booking_url]
    assert reader.metadata.title == "Your AI stack summary for Analytical Engines Ltd"


def test_summary_pdf_numbers_its_pages(django_capture_on_commit_callbacks):
    assessment = submitted(django_capture_on_commit_callbacks)

    reader = pdf_of(assessment, token=assessment.token)

    total = len(reader.pages)
    footers = [page.extract_text().splitlines()[-2:] for page in reader.pages]
    assert footers == [
        [
            "Consult · AI stack summary · Analytical Engines Ltd",
            f"Page {number} of {total}",
        ]
        for number in range(1, total + 1)
    ]


def test_summary_pdf_draws_one_chart_per_language_use_case(
    django_capture_on_commit_callbacks,
):
    assessment = submitted(django_capture_on_commit_callbacks)

    text = text_of(pdf_of(assessment, token=None))

    assert text.count("Requests a month") == 2
    assert text.count("You: 20k/month") + text.count("You: 50k/month") == 2
    assert text.count("Break-even: ") == 2
    assert "Token prices don't apply" in text


def test_summary_pdf_without_a_token_links_to_booking_only(
    django_capture_on_commit_callbacks,
):
    assessment = submitted(django_capture_on_commit_callbacks)

    reader = pdf_of(assessment, token=None)

    assert links_of(reader) == ["http://testserver/book/"]
    assert "/assess/" not in text_of(reader)


def test_summary_pdf_prints_markup_in_answers_as_text(
    django_capture_on_commit_callbacks,
):
    assessment = submitted(django_capture_on_commit_callbacks, company="R&D <Labs>")

    text = text_of(pdf_of(assessment, token=None))

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

    reader = pdf_of(assessment, token=None)

    text_ = text_of(reader)
    assert f"Prepared for {company} on " in text_
    assert all(text_.count(name) == 2 for name in names)  # overview and section
    assert reader.pages[0].extract_text().splitlines()[-2] == (
        f"Consult · AI stack summary · {company}"
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


def test_long_date_has_no_leading_zero():
    assert long_date(date(2026, 3, 5)) == "5 March 2026"


# --- The build task --------------------------------------------------------


def test_summary_task_twice_stores_one_file_and_sends_one_email(
    django_capture_on_commit_callbacks, mailoutbox
):
    assessment = submitted(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.assessment_summary.delay(
            assessment_id=assessment.pk, token=assessment.token
        ).get()
        second = tasks.assessment_summary.delay(
            assessment_id=assessment.pk, token=assessment.token
        ).get()

    assessment.refresh_from_db()
    assert (first, second) == (True, False)
    assert stored_summaries() == sorted(
        name.split("/")[1]
        for name in (assessment.summary_pdf.name, assessment.staff_summary_pdf.name)
    )
    assert assessment.summary_pdf_built_at is not None
    assert OutboundEmail.objects.filter(kind="assessment_summary").count() == 1
    assert len(mailoutbox) == 1


def test_summary_email_has_verdict_use_cases_links_and_the_pdf(
    django_capture_on_commit_callbacks, mailoutbox
):
    assessment = submitted(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_summary_build(
            assessment_id=assessment.pk, token=assessment.token
        )

    [sent] = mailoutbox
    [(filename, content, content_type)] = sent.attachments
    assessment.refresh_from_db()
    assert sent.to == [assessment.contact_email]
    assert sent.subject == (
        "Your AI stack for Analytical Engines Ltd: Hybrid (your summary and PDF)"
    )
    assert (filename, content_type) == (
        "consult-summary-analytical-engines-ltd.pdf",
        "application/pdf",
    )
    assert content == stored_bytes(assessment.summary_pdf.name)
    assert sent.body.split("\n\n")[3:10] == [
        "Use case by use case:",
        (
            "- Support summaries: Buy an API (about $52.50 a month)\n"
            "- Invoice fields: Fine-tune a small model (about $1,964 a month)\n"
            "- Card fraud: Classical ML"
        ),
        "The attached PDF has the reasons, costs and next steps for each one.",
        "Your result online (your private link: keep it to yourself):",
        f"http://testserver/assess/{assessment.token}/result/",
        (
            "A free 30-minute call with a consultant is the quickest way to decide what\n"
            "to build first. Book a time that suits you:"
        ),
        f"http://testserver/book/?assessment={assessment.token}",
    ]
    html = sent.alternatives[0].content
    assert f'href="http://testserver/assess/{assessment.token}/result/"' in html
    assert "<strong>Hybrid</strong>" in html


def test_summary_build_with_a_wrong_token_leaves_the_private_link_out(
    django_capture_on_commit_callbacks, mailoutbox, caplog
):
    assessment = submitted(django_capture_on_commit_callbacks)
    other = AssessmentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_summary_build(
            assessment_id=assessment.pk, token=other.token
        )

    assessment.refresh_from_db()
    reader = PdfReader(io.BytesIO(stored_bytes(assessment.summary_pdf.name)))
    assert links_of(reader) == ["http://testserver/book/"]
    assert "/assess/" not in mailoutbox[0].body
    assert other.token not in caplog.text


def test_summary_build_of_a_draft_does_nothing(mailoutbox):
    draft = AssessmentFactory()

    assert services.assessment_summary_build(assessment_id=draft.pk) is False
    assert stored_summaries() == []


def test_summary_build_stores_a_staff_copy_without_the_private_links(
    django_capture_on_commit_callbacks,
):
    assessment = submitted(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_summary_build(
            assessment_id=assessment.pk, token=assessment.token
        )

    assessment.refresh_from_db()
    client_copy = PdfReader(io.BytesIO(stored_bytes(assessment.summary_pdf.name)))
    staff_copy = PdfReader(io.BytesIO(stored_bytes(assessment.staff_summary_pdf.name)))
    assert links_of(client_copy) == [
        f"http://testserver/assess/{assessment.token}/result/",
        f"http://testserver/book/?assessment={assessment.token}",
    ]
    assert links_of(staff_copy) == ["http://testserver/book/"]
    assert assessment.token not in text_of(staff_copy)
    assert text_of(staff_copy).splitlines()[:2] == text_of(client_copy).splitlines()[:2]


def test_summary_build_race_lost_removes_its_own_files(
    django_capture_on_commit_callbacks, monkeypatch
):
    assessment = submitted(django_capture_on_commit_callbacks)
    real_render = services.assessment_summary_pdf

    def render_then_lose_the_race(*, summary):
        content = real_render(summary=summary)
        # Another worker stores its copies between our renders and our update.
        Assessment.objects.filter(pk=assessment.pk).update(
            summary_pdf="summaries/winner.pdf",
            staff_summary_pdf="summaries/winner-staff.pdf",
            summary_pdf_built_at=timezone.now(),
        )
        return content

    monkeypatch.setattr(services, "assessment_summary_pdf", render_then_lose_the_race)
    with django_capture_on_commit_callbacks(execute=True):
        built = services.assessment_summary_build(assessment_id=assessment.pk)

    assert built is False
    assert stored_summaries() == []


# --- Submitting: on commit -------------------------------------------------


def test_submit_through_the_view_emails_the_summary_pdf(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment, name="Support summaries")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/assess/{assessment.token}/check/")

    assessment.refresh_from_db()
    assert response.status_code == 303
    assert assessment.summary_pdf_built_at is not None
    assert len(mailoutbox) == 1
    [(_, content, content_type)] = mailoutbox[0].attachments
    assert content[:5] == b"%PDF-"
    assert content_type == "application/pdf"
    assert f"http://testserver/assess/{assessment.token}/result/" in mailoutbox[0].body


def test_submit_enqueues_the_build_only_after_commit(
    django_capture_on_commit_callbacks, monkeypatch
):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)
    calls = []
    monkeypatch.setattr(
        tasks.assessment_summary,
        "apply_async",
        lambda **options: calls.append(options),
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.assessment_submit(assessment=assessment, token=assessment.token)
        assert calls == []

    assert len(callbacks) == 1
    [options] = calls
    assert options["kwargs"] == {
        "assessment_id": assessment.pk,
        "token": assessment.token,
    }
    # Celery logs and events show this instead of the private token.
    assert (
        options["kwargsrepr"] == f"{{'assessment_id': {assessment.pk}, 'token': '…'}}"
    )


def test_submit_rolled_back_enqueues_nothing(
    django_capture_on_commit_callbacks, mailoutbox
):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)

    def submit_then_fail():
        with transaction.atomic():
            services.assessment_submit(assessment=assessment, token=assessment.token)
            raise Boom

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
    ):
        submit_then_fail()

    assessment.refresh_from_db()
    assert callbacks == []
    assert mailoutbox == []
    assert assessment.status == Assessment.Status.DRAFT
    assert stored_summaries() == []


def test_submit_with_the_broker_down_still_succeeds_and_logs_no_token(
    client, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)

    def broker_down(**options):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(tasks.assessment_summary, "apply_async", broker_down)
    with (
        caplog.at_level(logging.WARNING, logger="advisor.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(f"/assess/{assessment.token}/check/")

    assessment.refresh_from_db()
    assert response.status_code == 303
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.summary_pdf_built_at is None
    assert [record.getMessage() for record in caplog.records] == [
        f"assessment {assessment.pk}: summary build not done now; the relay will retry"
    ]
    assert assessment.token not in caplog.text


# --- The relay -------------------------------------------------------------


def test_relay_builds_a_summary_whose_task_never_ran(
    django_capture_on_commit_callbacks, mailoutbox
):
    lost = submitted(django_capture_on_commit_callbacks)
    recent = submitted(django_capture_on_commit_callbacks)
    now = timezone.now()
    Assessment.objects.filter(pk=lost.pk).update(
        submitted_at=now - services.SUMMARY_RELAY_GRACE - timedelta(seconds=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        relayed = tasks.summaries_relay.delay().get()
        again = tasks.summaries_relay.delay().get()

    lost.refresh_from_db()
    recent.refresh_from_db()
    assert (relayed, again) == (1, 0)
    assert lost.summary_pdf_built_at is not None
    assert recent.summary_pdf_built_at is None
    assert [message.to for message in mailoutbox] == [[lost.contact_email]]
    # The relay never knew the token: the email links to booking only.
    assert "http://testserver/book/\n" in mailoutbox[0].body
    assert "/assess/" not in mailoutbox[0].body


def test_relay_leaves_summaries_failing_for_days_to_staff(
    django_capture_on_commit_callbacks, monkeypatch
):
    old = submitted(django_capture_on_commit_callbacks)
    Assessment.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - services.SUMMARY_RELAY_MAX_AGE - timedelta(1)
    )
    calls = []
    monkeypatch.setattr(
        tasks.assessment_summary, "apply_async", lambda **o: calls.append(o)
    )

    assert services.assessment_summaries_relay() == 0
    assert calls == []


def test_relay_enqueues_builds_that_expire_and_carry_no_token(
    django_capture_on_commit_callbacks, monkeypatch
):
    lost = submitted(django_capture_on_commit_callbacks)
    Assessment.objects.filter(pk=lost.pk).update(
        submitted_at=timezone.now() - timedelta(minutes=10)
    )
    calls = []
    monkeypatch.setattr(
        tasks.assessment_summary, "apply_async", lambda **o: calls.append(o)
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_summaries_relay()

    [options] = calls
    assert options["kwargs"] == {"assessment_id": lost.pk}
    assert options["expires"] == services.SUMMARY_RELAY_EXPIRES


def test_relay_is_scheduled_every_minute_on_the_default_queue(settings):
    from consult.celery import app  # noqa: PLC0415

    entry = settings.CELERY_BEAT_SCHEDULE["advisor-summaries-relay"]

    assert entry == {
        "task": "advisor.summaries_relay",
        "schedule": 60.0,
        "options": {"expires": 55},
    }
    assert app.amqp.router.route({}, entry["task"])["queue"].name == "default"
    assert app.amqp.router.route({}, "pdf.assessment_summary")["queue"].name == "pdf"


def test_summary_relink_for_a_link_no_longer_current_changes_nothing(
    django_capture_on_commit_callbacks, mailoutbox
):
    assessment = submitted(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_summary_build(
            assessment_id=assessment.pk, token=assessment.token
        )
    assessment.refresh_from_db()
    before = stored_summaries()

    replaced = services.assessment_summary_build(
        assessment_id=assessment.pk, token="x" * 43, relink=True
    )

    assessment.refresh_from_db()
    assert replaced is False
    assert stored_summaries() == before
    assert f"/assess/{assessment.token}/result/" in text_of(
        PdfReader(io.BytesIO(stored_bytes(assessment.summary_pdf.name)))
    )
    assert len(mailoutbox) == 1
