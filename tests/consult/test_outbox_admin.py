"""The email log in the admin: read-only rows, filters, search, and resending
failed emails."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consult.models import OutboundEmail
from tests.helpers.outbox import Status, queued


@pytest.mark.django_db
def test_email_log_changelist_query_count_is_the_same_for_1_and_3_rows(
    admin_client, django_capture_on_commit_callbacks
):
    # Compared rather than hard-coded: the admin's sidebar asks every
    # registered app, so the absolute number belongs to the whole project.
    url = reverse("admin:consult_outboundemail_changelist")

    def changelist_queries(item_count):
        for number in range(OutboundEmail.objects.count(), item_count):
            queued(
                django_capture_on_commit_callbacks,
                to=f"client{number}@example.com",
                key=f"link:{number}",
            )
        OutboundEmail.objects.filter(to="client0@example.com").update(
            status=Status.FAILED, last_error="SMTPDataError: " + "x" * 200
        )
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url)
        content = response.content.decode()
        assert response.status_code == 200
        assert content.count("@example.com</td>") == item_count
        assert "SMTPDataError: xxxx" in content
        assert "Resend selected failed emails" in content
        return len(queries)

    admin_client.get(url)
    assert changelist_queries(1) == changelist_queries(3)


@pytest.mark.django_db
def test_email_log_changelist_filters_and_searches(
    admin_client, django_capture_on_commit_callbacks
):
    queued(django_capture_on_commit_callbacks, to="ana@example.com", key="a")
    queued(django_capture_on_commit_callbacks, to="bo@example.com", key="b")
    url = reverse("admin:consult_outboundemail_changelist")

    by_search = admin_client.get(url, {"q": "bo@"})
    by_status = admin_client.get(url, {"status__exact": "failed"})

    assert [row.to for row in by_search.context["cl"].result_list] == ["bo@example.com"]
    assert list(by_status.context["cl"].result_list) == []


@pytest.mark.django_db
def test_email_log_detail_is_read_only(
    admin_client, django_capture_on_commit_callbacks
):
    user = get_user_model().objects.get(username="admin")
    email = queued(django_capture_on_commit_callbacks, related=user)
    url = reverse("admin:consult_outboundemail_change", args=[email.pk])

    response = admin_client.get(url)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Here is your private link to your assessment:" in content
    assert f"/admin/auth/user/{user.pk}/change/" in content
    assert 'name="_save"' not in content
    assert admin_client.post(url, {"subject": "changed"}).status_code == 403


@pytest.mark.django_db
def test_email_log_resend_action_queues_failed_rows_only(
    admin_client, django_capture_on_commit_callbacks, mailoutbox
):
    failed = queued(django_capture_on_commit_callbacks, to="ana@example.com", key="a")
    pending = queued(django_capture_on_commit_callbacks, to="bo@example.com", key="b")
    OutboundEmail.objects.filter(pk=failed.pk).update(
        status=Status.FAILED, attempts=5, last_error="SMTPDataError: 554"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:consult_outboundemail_changelist"),
            {"action": "resend", "_selected_action": [failed.pk, pending.pk]},
            follow=True,
        )

    failed.refresh_from_db()
    pending.refresh_from_db()
    notes = [str(message) for message in response.context["messages"]]
    assert notes == [
        "1 email(s) queued to be sent again.",
        (
            "1 email(s) skipped: only failed emails whose content was not erased can be "
            "resent."
        ),
    ]
    assert (failed.status, pending.status) == (Status.SENT, Status.QUEUED)
    assert [m.to for m in mailoutbox] == [["ana@example.com"]]
