from crm import create_app


def test_a_request_for_a_host_that_is_not_trusted_is_refused():
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", TRUSTED_HOSTS=["crm.example.org"])

    refused = app.test_client().get("/healthz", headers={"Host": "evil.example"})
    served = app.test_client().get("/healthz", headers={"Host": "crm.example.org"})

    assert refused.status_code == 400
    assert served.status_code == 200


def test_production_answers_an_untrusted_host_with_400_and_the_security_headers():
    app = create_app("production", SECRET_KEY="p" * 40, SQLALCHEMY_DATABASE_URI="sqlite://",
                     TRUSTED_HOSTS=["crm.example.org"])

    response = app.test_client().get("/healthz", headers={"Host": "evil.example"}, base_url="https://evil.example")

    assert response.status_code == 400
    assert response.headers["X-Content-Type-Options"] == "nosniff"
