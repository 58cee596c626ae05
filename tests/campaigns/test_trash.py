"""A deleted campaign is in the admin's trash: restored as it was, or purged with its participations."""
import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.campaigns.models import Campaign, CampaignExclusion, CampaignWindow, Participation, ParticipationProduct
from crm.companies.models import Product
from crm.core.softdelete import including_deleted, soft_delete


def _campaign_with_a_participant(db, make_campaign, make_participation, make_company, admin):
    campaign = make_campaign("지울 기획전")
    campaign.exclusions.append(CampaignExclusion(window=CampaignWindow.CAMPAIGN, starts_on=campaign_day(),
                                                 ends_on=campaign_day()))
    company = make_company()
    product = Product(company=company, name="지울 상품")
    db.session.add(product)
    participation = make_participation(campaign, company)
    participation.products.append(ParticipationProduct(product=product))
    soft_delete(campaign, actor=admin)
    db.session.commit()
    return campaign, participation, product


def campaign_day():
    from datetime import date

    return date(2021, 9, 16)


def test_the_trash_lists_a_deleted_campaign_without_a_company_column(db, make_campaign, make_participation,
                                                                      make_company, admin, client_as):
    _campaign_with_a_participant(db, make_campaign, make_participation, make_company, admin)

    response = client_as(admin).get("/admin/trash/?kind=campaign")

    assert response.status_code == 200
    assert "지울 기획전" in response.get_data(as_text=True)


def test_restoring_a_campaign_brings_it_back(db, make_campaign, make_participation, make_company, admin, client_as):
    campaign, _, _ = _campaign_with_a_participant(db, make_campaign, make_participation, make_company, admin)

    response = client_as(admin).post(f"/admin/trash/campaign/{campaign.id}/restore")

    assert response.status_code == 302
    assert db.session.scalar(sa.select(Campaign.id).where(Campaign.id == campaign.id)) == campaign.id


def test_purging_a_campaign_deletes_its_participations_and_exclusions_with_an_audit_trace(
        db, make_campaign, make_participation, make_company, admin, client_as):
    campaign, participation, _ = _campaign_with_a_participant(db, make_campaign, make_participation, make_company,
                                                              admin)

    response = client_as(admin).post(f"/admin/trash/campaign/{campaign.id}/purge")

    assert response.status_code == 302
    assert db.session.scalar(including_deleted(sa.select(Campaign.id).where(Campaign.id == campaign.id))) is None
    assert db.session.scalars(sa.select(Participation.id).where(Participation.id == participation.id)).all() == []
    assert db.session.scalars(sa.select(CampaignExclusion.id)).all() == []
    deleted = set(db.session.scalars(sa.select(AuditLog.record_type).where(AuditLog.action == "delete")))
    assert {"Campaign", "Participation", "CampaignExclusion", "ParticipationProduct"} <= deleted


def test_purging_a_product_removes_it_from_campaigns_first(db, make_campaign, make_participation, make_company,
                                                           admin, client_as):
    campaign = make_campaign()
    company = make_company()
    product = Product(company=company, name="카탈로그 상품")
    db.session.add(product)
    participation = make_participation(campaign, company)
    participation.products.append(ParticipationProduct(product=product))
    db.session.commit()
    soft_delete(product, actor=admin)
    db.session.commit()

    response = client_as(admin).post(f"/admin/trash/product/{product.id}/purge")

    assert response.status_code == 302
    assert db.session.scalars(sa.select(ParticipationProduct.id)).all() == []
    assert db.session.get(Participation, participation.id) is not None


def test_a_deleted_deliverable_is_restored_from_the_trash(db, make_participation, admin, client_as):
    from crm.campaigns.models import Deliverable, DeliverableKind

    participation = make_participation()
    deliverable = Deliverable(participation=participation, kind=DeliverableKind.VIDEO, title="홍보영상 1")
    db.session.add(deliverable)
    db.session.commit()
    soft_delete(deliverable, actor=admin)
    db.session.commit()
    client = client_as(admin)

    listed = client.get("/admin/trash/?kind=deliverable")
    restored = client.post(f"/admin/trash/deliverable/{deliverable.id}/restore")

    assert "홍보영상 1" in listed.get_data(as_text=True)
    assert participation.company.name in listed.get_data(as_text=True)
    assert restored.status_code == 302
    assert db.session.scalar(sa.select(Deliverable.id).where(Deliverable.id == deliverable.id)) == deliverable.id


def test_purging_a_programme_keeps_its_campaigns_without_it(db, make_program, make_campaign, admin, client_as):
    from crm.programs.models import Program

    program = make_program("없어질 사업")
    campaign = make_campaign("남을 기획전", program=program)
    soft_delete(program, actor=admin)
    db.session.commit()

    response = client_as(admin).post(f"/admin/trash/program/{program.id}/purge")

    assert response.status_code == 302
    assert db.session.scalar(including_deleted(sa.select(Program.id).where(Program.id == program.id))) is None
    assert db.session.scalar(sa.select(Campaign.program_id).where(Campaign.id == campaign.id)) is None
