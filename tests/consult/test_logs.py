"""The logs carry a request id into Celery tasks, and no private data."""

import json
import logging

import pytest

from consult import logs

pytestmark = pytest.mark.django_db


def test_every_response_has_a_request_id_and_its_log_lines_carry_it(client, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.get("/book/manage/" + "x" * 43 + "/")

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    [line] = [r for r in caplog.records if r.name == "django.request"]
    assert line.request_id == request_id


def test_a_request_id_from_an_untrusted_client_is_replaced(client, settings):
    settings.TRUSTED_PROXIES = 0

    response = client.get("/", HTTP_X_REQUEST_ID="attacker-chosen-id-123")

    assert response["X-Request-ID"] != "attacker-chosen-id-123"


def test_a_request_id_from_a_trusted_proxy_is_kept(client, settings):
    settings.TRUSTED_PROXIES = 1

    response = client.get("/", HTTP_X_REQUEST_ID="lb-0123456789abcdef")

    assert response["X-Request-ID"] == "lb-0123456789abcdef"


def record(message, *args, exc_info=None, **extra):
    entry = logging.LogRecord(
        "consult.test", logging.WARNING, __file__, 1, message, args, exc_info
    )
    entry.__dict__.update(extra)
    return entry


def test_formatters_mask_email_addresses_and_private_links_in_the_whole_line():
    try:
        raise ValueError("could not reach grace@private.example")  # noqa: TRY301
    except ValueError:
        import sys  # noqa: PLC0415

        exc = sys.exc_info()
    line = record(
        "sent to %s via /book/manage/%s/",
        "grace@private.example",
        "t" * 43,
        exc_info=exc,
        request_id="abc",
    )

    plain = logs.PlainFormatter("%(message)s").format(line)
    as_json = json.loads(logs.JsonFormatter().format(line))

    for text in (plain, as_json["message"] + as_json["exception"]):
        assert "grace@private.example" not in text
        assert "t" * 43 not in text
        assert "[email]" in text
    assert as_json["request_id"] == "abc"
    assert as_json["level"] == "WARNING"


def test_an_expected_client_error_is_logged_without_a_traceback():
    try:
        raise PermissionError("nope")  # noqa: TRY301
    except PermissionError:
        import sys  # noqa: PLC0415

        exc = sys.exc_info()
    forbidden = record("Forbidden: /admin/x/", exc_info=exc, status_code=403)
    broken = record("Internal Server Error: /x/", exc_info=exc, status_code=500)

    logs.ClientErrorFilter().filter(forbidden)
    logs.ClientErrorFilter().filter(broken)

    assert forbidden.exc_info is None
    assert broken.exc_info is not None


def console_lines(records) -> list[str]:
    """The records as the site's console handler writes them (its filters, its format)."""
    [console] = [h for h in logging.getLogger().handlers if h.name == "console"]
    return [console.format(r) for r in records if console.filter(r)]


def test_a_403_in_the_admin_is_logged_as_one_line(client, django_user_model, caplog):
    user = django_user_model.objects.create_user("staffer", password="x", is_staff=True)
    client.force_login(user)

    with caplog.at_level(logging.WARNING):
        response = client.get("/admin/consult/outboundemail/")

    [line] = console_lines(r for r in caplog.records if r.name == "django.request")
    assert response.status_code == 403
    assert "Forbidden" in line
    assert "Traceback" not in line
    assert "\n" not in line


def test_a_booking_journey_logs_no_email_address(client, caplog):
    from tests.factories.bookings import ConsultantFactory  # noqa: PLC0415
    from tests.helpers.booking_pages import form_data, free_starts  # noqa: PLC0415

    consultant = ConsultantFactory()
    start = free_starts(consultant)[0]
    with caplog.at_level(logging.DEBUG):
        client.post("/book/details/", form_data(start, email="grace@private.example"))
        client.post("/book/details/", form_data(start, email="grace@private.example"))

    written = "\n".join(console_lines(caplog.records))
    assert "grace@private.example" not in written
    assert "Grace Hopper" not in written


def test_the_request_id_travels_into_the_tasks_a_request_queues():
    headers: dict = {}
    token = logs._request_id.set("req-42")
    try:
        logs._publish_with_request_id(headers=headers)
    finally:
        logs._request_id.reset(token)

    class Request:
        consult_request_id = headers[logs.CELERY_HEADER]

    class Task:
        request = Request()

    logs._task_started(task_id="t1", task=Task())
    try:
        assert logs.request_id() == "req-42"
    finally:
        logs._task_finished(task_id="t1")
    assert logs.request_id() == logs.NO_REQUEST


def test_sentry_events_leave_without_tokens_emails_form_data_or_cookies():
    token = "k" * 43
    event = {
        "request": {
            "url": f"https://consult.example/book/manage/{token}/",
            "data": {"email": "grace@private.example"},
            "cookies": {"sessionid": "abc"},
            "headers": {"Referer": f"https://consult.example/assess/{token}/result/"},
        },
        "exception": {
            "values": [{"value": "no mailbox grace@private.example", "type": "E"}]
        },
        "breadcrumbs": {"values": [{"message": f"GET /assess/{token}/"}]},
    }

    scrubbed = logs.sentry_event_scrubbed(event, {})

    text = json.dumps(scrubbed)
    assert token not in text
    assert "grace@private.example" not in text
    assert "data" not in scrubbed["request"]
    assert "cookies" not in scrubbed["request"]
    assert "/book/manage/[private]/" in scrubbed["request"]["url"]
