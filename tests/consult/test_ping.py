def test_ping_answers_ok_without_the_database(client):
    # No db fixture: pytest-django fails the test if the view opens a connection.
    response = client.get("/ping")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_ping_goes_through_the_same_middleware_as_every_page(client):
    response = client.get("/ping")

    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"


def test_ping_refuses_a_post(client):
    assert client.post("/ping").status_code == 405
