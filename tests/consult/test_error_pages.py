"""The site's own error pages, and the address every page gives to write to."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error


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
