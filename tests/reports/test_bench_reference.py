"""The benchmark's reference page: the first 50 companies by name, read in one statement."""


def test_the_reference_page_lists_the_first_fifty_companies_by_name(make_company, admin, client_as):
    for number in range(55):
        make_company(f"기준기업{number:02d}")

    page = client_as(admin).get("/admin/bench/reference")

    assert page.status_code == 200
    assert page.text.count('data-testid="reference-row"') == 50
    assert "기준기업49" in page.text
    assert "기준기업50" not in page.text


def test_the_reference_page_reads_the_companies_in_one_statement(db, make_company, admin, client_as, count_queries):
    for _ in range(55):
        make_company()
    client = client_as(admin)
    db.session.remove()

    with count_queries() as counter:
        assert client.get("/admin/bench/reference").status_code == 200

    assert sum("FROM companies" in statement for statement in counter.statements) == 1
    assert counter.count <= 3
