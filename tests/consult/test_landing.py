import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error


def test_landing_says_what_it_does_and_leads_to_assess_and_book(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Buy an API, fine-tune a small model, or build your own?" in html
    assert f'href="{reverse("advisor:start")}"' in html
    assert f'href="{reverse("bookings:book")}"' in html
    assert reverse("advisor:start") == "/assess/"
    assert reverse("bookings:book") == "/book/"


def test_landing_loads_htmx_from_this_site_with_csrf_header_and_nonce(client):
    response = client.get("/")

    html = response.content.decode()
    nonce = response.wsgi_request._csp_nonce
    assert (
        f'<script src="/static/django_htmx/htmx-2.min.js" defer nonce="{nonce}"></script>'
        in html
    )
    assert '<body hx-headers=\'{"x-csrftoken": "' in html
    assert "https://" not in html.split("</head>")[0]


def test_landing_sends_a_nonce_based_content_security_policy(client):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    nonce = response.wsgi_request._csp_nonce
    assert f"script-src 'self' 'nonce-{nonce}'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_favicon_redirects_to_the_svg_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"


# --- error pages -------------------------------------------------------------------------


def test_every_page_says_where_to_write(client, settings):
    settings.CONTACT_EMAIL = "help@consult.example"

    html = client.get("/").content.decode()

    assert '<a href="mailto:help@consult.example">help@consult.example</a>' in html


@pytest.mark.django_db
def test_an_unknown_private_link_gets_a_page_that_offers_a_new_link(client):
    response = client.get(f"/assess/{'x' * 43}/result/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>We can't find this page</h1>" in html
    assert 'href="/assess/resume/"' in html
    assert 'href="/book/lost-link/"' in html
    assert '<header class="site-header">' in html


def test_a_server_error_gets_the_sites_own_page():
    response = server_error(RequestFactory().get("/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in html
    assert '<header class="site-header">' in html


@pytest.mark.django_db
def test_a_form_refused_by_csrf_protection_says_what_to_do():
    response = Client(enforce_csrf_checks=True).post("/assess/")

    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Please send the form again</h1>" in html
