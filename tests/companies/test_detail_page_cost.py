"""The company page keeps its timeline and sections until data changes: what it shows stays what each reader
may see, and a change shows on the next view."""
from crm.companies import services
from crm.companies.pipeline import Stage


def test_a_stage_move_shows_on_the_timeline_of_a_page_viewed_before(db, client_as, coordinator, make_company):
    company = make_company(stage=Stage.SOURCED)
    client = client_as(coordinator)
    client.get(f"/companies/{company.id}")

    services.move_stage(company, Stage.CONTACTED, note="첫 통화", actor=coordinator)
    db.session.commit()
    page = client.get(f"/companies/{company.id}")

    timeline = page.text.split('data-testid="timeline"')[1]
    assert "단계: 발굴 → 연락" in timeline and "첫 통화" in timeline


def test_a_coach_does_not_see_what_a_coordinator_saw_on_the_same_company(db, client_as, coordinator, coach,
                                                                          make_company):
    company = make_company(coaches=[coach])
    add_product = f"/companies/{company.id}/products/new"
    coordinators_client, coachs_client = client_as(coordinator), client_as(coach)
    assert add_product in coordinators_client.get(f"/companies/{company.id}").text

    page = coachs_client.get(f"/companies/{company.id}")

    assert page.status_code == 200 and add_product not in page.text


def test_a_reader_in_english_gets_an_english_timeline_after_someone_read_it_in_korean(db, client_as, coordinator,
                                                                                      coach, make_company):
    company = make_company(coaches=[coach])
    korean, english = client_as(coordinator), client_as(coach)
    english.post("/lang", data={"lang": "en", "next": "/login"})
    korean.get(f"/companies/{company.id}")

    page = english.get(f"/companies/{company.id}")

    timeline = page.text.split('data-testid="timeline"')[1]
    assert "Added at Sourced" in timeline and "단계로 등록" not in timeline
