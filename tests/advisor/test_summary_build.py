"""Building and sending the summary: the task and its email, enqueued on submit
after commit, and the relay for builds that never ran."""

import io
import logging
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from advisor import services, summaries, tasks
from advisor.models import Assessment, AssessmentLink
from consult.models import OutboundEmail
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.helpers.answers import answer_2026_2, as_2026_1, store_answer
from tests.helpers.summary_pdf import (
    links_of,
    share_url_in,
    stored_bytes,
    stored_summaries,
    submitted,
    text_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


class Boom(Exception):
    pass


# --- The build task -------------------------------------------------------------------


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
        summaries.assessment_summary_build(
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
    assert sent.body.split("\n\n")[3:11] == [
        (
            "All 3 use cases together, on the options we recommend: about $160 a "
            "month to run, $80,000 once to set up, and $390,000 over three years "
            "with the people they need."
        ),
        "Use case by use case:",
        (
            "- Support summaries: A small model through an API (Buy an API), about "
            "$14 a month\n"
            "- Invoice fields: A fine-tuned open-weight model, hosted for you "
            "(Fine-tune a small model), about $17 a month\n"
            "- Card fraud: A classical ML model built in-house (Classical ML), about "
            "$130 a month"
        ),
        (
            "The attached PDF has the reasons, costs and next steps for each one. It links\n"
            "to a read-only copy of the result, so you can pass it on: whoever gets it can\n"
            "read the result, but not change it or book in your name."
        ),
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
    assert "<strong>A small model through an API</strong>" in html
    assert ">$390,000</strong>" in html


def test_summary_email_of_a_2026_1_answer_names_paths_and_no_totals(
    django_capture_on_commit_callbacks, mailoutbox
):
    assessment = submitted(django_capture_on_commit_callbacks)
    store_answer(assessment, as_2026_1(answer_2026_2()))

    with django_capture_on_commit_callbacks(execute=True):
        summaries.assessment_summary_build(assessment_id=assessment.pk, token=None)

    [sent] = mailoutbox
    assert "together" not in sent.body
    assert (
        "Use case by use case:\n\n"
        "- Support summaries: Buy an API, about $570 a month\n"
        "- Invoice fields: Fine-tune a small model, about $2,000 a month\n"
        "- Card fraud: Classical ML\n"
    ) in sent.body
    html = sent.alternatives[0].content
    assert "<strong>Buy an API</strong>" in html
    assert "Over three years" not in html


def test_summary_build_with_a_wrong_token_leaves_the_private_link_out(
    django_capture_on_commit_callbacks, mailoutbox, caplog
):
    assessment = submitted(django_capture_on_commit_callbacks)
    other = AssessmentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        summaries.assessment_summary_build(
            assessment_id=assessment.pk, token=other.token
        )

    assessment.refresh_from_db()
    reader = PdfReader(io.BytesIO(stored_bytes(assessment.summary_pdf.name)))
    assert links_of(reader) == [share_url_in(reader), "http://testserver/book/"]
    assert "/assess/" not in mailoutbox[0].body
    assert other.token not in caplog.text


def test_summary_build_of_a_draft_does_nothing(mailoutbox):
    draft = AssessmentFactory()

    assert summaries.assessment_summary_build(assessment_id=draft.pk) is False
    assert stored_summaries() == []


def test_summary_build_stores_a_staff_copy_without_any_link_to_the_result(
    django_capture_on_commit_callbacks,
):
    assessment = submitted(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        summaries.assessment_summary_build(
            assessment_id=assessment.pk, token=assessment.token
        )

    assessment.refresh_from_db()
    client_copy = PdfReader(io.BytesIO(stored_bytes(assessment.summary_pdf.name)))
    staff_copy = PdfReader(io.BytesIO(stored_bytes(assessment.staff_summary_pdf.name)))
    assert links_of(client_copy) == [
        share_url_in(client_copy),
        "http://testserver/book/",
    ]
    assert assessment.token not in text_of(client_copy)
    assert links_of(staff_copy) == ["http://testserver/book/"]
    assert assessment.token not in text_of(staff_copy)
    assert text_of(staff_copy).splitlines()[:2] == text_of(client_copy).splitlines()[:2]


def test_summary_build_race_lost_removes_its_own_files(
    django_capture_on_commit_callbacks, monkeypatch
):
    assessment = submitted(django_capture_on_commit_callbacks)
    real_render = summaries.assessment_summary_pdf

    def render_then_lose_the_race(*, summary):
        content = real_render(summary=summary)
        # Another worker stores its copies between our renders and our update.
        Assessment.objects.filter(pk=assessment.pk).update(
            summary_pdf="summaries/winner.pdf",
            staff_summary_pdf="summaries/winner-staff.pdf",
            summary_pdf_built_at=timezone.now(),
        )
        return content

    monkeypatch.setattr(summaries, "assessment_summary_pdf", render_then_lose_the_race)
    with django_capture_on_commit_callbacks(execute=True):
        built = summaries.assessment_summary_build(assessment_id=assessment.pk)

    assert built is False
    assert stored_summaries() == []
    # The share link only the lost copy carried is gone with it.
    assert not AssessmentLink.objects.filter(kind=AssessmentLink.Kind.SHARE).exists()


def test_summary_relink_gives_the_stored_pdf_a_new_share_link(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    assessment = submitted(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        summaries.assessment_summary_build(
            assessment_id=assessment.pk, token=assessment.token
        )
    assessment.refresh_from_db()
    old_name = assessment.summary_pdf.name
    old_share = share_url_in(PdfReader(io.BytesIO(stored_bytes(old_name))))

    replaced = summaries.assessment_summary_build(
        assessment_id=assessment.pk, relink=True
    )

    assessment.refresh_from_db()
    new_share = share_url_in(
        PdfReader(io.BytesIO(stored_bytes(assessment.summary_pdf.name)))
    )
    assert replaced is True
    assert new_share != old_share
    assert not default_storage.exists(old_name)
    assert client.get(new_share.removeprefix("http://testserver")).status_code == 200
    assert len(mailoutbox) == 1


def test_summary_relink_before_the_first_build_does_nothing():
    draft = AssessmentFactory()
    UseCaseFactory(assessment=draft)
    services.assessment_submit(assessment=draft)

    replaced = summaries.assessment_summary_build(assessment_id=draft.pk, relink=True)

    assert replaced is False
    assert stored_summaries() == []
    assert not AssessmentLink.objects.filter(kind=AssessmentLink.Kind.SHARE).exists()


# --- Submitting: on commit ------------------------------------------------------------


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
        caplog.at_level(logging.WARNING, logger="consult.enqueue"),
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


# --- The relay ------------------------------------------------------------------------


def test_relay_builds_a_summary_whose_task_never_ran(
    django_capture_on_commit_callbacks, mailoutbox
):
    lost = submitted(django_capture_on_commit_callbacks)
    recent = submitted(django_capture_on_commit_callbacks)
    now = timezone.now()
    Assessment.objects.filter(pk=lost.pk).update(
        submitted_at=now - summaries.SUMMARY_RELAY_GRACE - timedelta(seconds=1)
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
        submitted_at=timezone.now() - summaries.SUMMARY_RELAY_MAX_AGE - timedelta(1)
    )
    calls = []
    monkeypatch.setattr(
        tasks.assessment_summary, "apply_async", lambda **o: calls.append(o)
    )

    assert summaries.assessment_summaries_relay() == 0
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
        summaries.assessment_summaries_relay()

    [options] = calls
    assert options["kwargs"] == {"assessment_id": lost.pk}
    assert options["expires"] == summaries.SUMMARY_RELAY_EXPIRES


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


def test_summary_email_of_one_use_case_does_not_count_it(
    django_capture_on_commit_callbacks, mailoutbox
):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment, name="Support summaries")
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_submit(assessment=assessment)

    with django_capture_on_commit_callbacks(execute=True):
        summaries.assessment_summary_build(
            assessment_id=assessment.pk, token=assessment.token
        )

    [sent] = mailoutbox
    html = sent.alternatives[0][0]
    assert "In all, on the option we recommend: about" in sent.body
    assert "with the people it needs." in sent.body
    assert "use case together" not in sent.body
    assert "<strong>In all</strong>, on the option we recommend:" in html
