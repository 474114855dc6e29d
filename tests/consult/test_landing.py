"""The landing page: what it offers, the scripts it loads, the security headers it
sends, and the icon."""

from django.urls import reverse


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
