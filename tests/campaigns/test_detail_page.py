"""The campaign page's participants: read as rows of id and company name, live companies only."""
from crm.campaigns.models import ParticipationStatus
from crm.core.softdelete import soft_delete


def test_the_participants_leave_out_a_company_moved_to_the_trash(db, make_campaign, make_company,
                                                                  make_participation, coordinator, client_as):
    campaign = make_campaign()
    gone = make_company("지워진기업")
    make_participation(campaign, gone, status=ParticipationStatus.APPLIED)
    make_participation(campaign, make_company("남은기업"), status=ParticipationStatus.APPLIED)
    soft_delete(gone, actor=coordinator)
    db.session.commit()

    page = client_as(coordinator).get(f"/campaigns/{campaign.id}")

    assert page.status_code == 200
    assert "지워진기업" not in page.text
    assert page.text.count('data-testid="participant-row"') == 1
