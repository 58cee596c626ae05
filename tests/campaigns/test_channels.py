"""Channels: the report's partners are preloaded; coordinators add and edit them; names are unique."""
import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.campaigns.models import Channel, ChannelKind


def channel_named(db, name: str) -> Channel | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Channel).where(Channel.name == name))


def test_the_list_shows_the_reports_partners_with_their_campaign_counts(client_as, coordinator, make_campaign):
    make_campaign(channel="해피빈")
    make_campaign(channel="해피빈")

    response = client_as(coordinator).get("/channels/")

    assert response.status_code == 200
    assert response.text.count('data-testid="channel-row"') == 11
    assert "와디즈" in response.text
    assert "campaigns/?channel_id=" in response.text


def test_a_coordinator_adds_a_channel_and_it_is_audited(db, client_as, coordinator):
    response = client_as(coordinator).post("/channels/new", data={"name": "한살림", "kind": "value_platform",
                                                                   "url": "https://shop.hansalim.or.kr",
                                                                   "active": "y"})

    channel = channel_named(db, "한살림")
    assert response.status_code == 302
    assert (channel.kind, channel.url, channel.active) == (ChannelKind.VALUE_PLATFORM, "https://shop.hansalim.or.kr",
                                                           True)
    audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.record_type == "Channel",
                                                         AuditLog.record_id == str(channel.id))).all()
    assert [(row.action, row.actor_id) for row in audit] == [("insert", coordinator.id)]


def test_a_name_another_channel_has_is_refused_whatever_its_case(db, client_as, coordinator):
    client = client_as(coordinator)
    client.post("/channels/new", data={"name": "Grip", "kind": "broadcast"})

    response = client.post("/channels/new", data={"name": "grip", "kind": "broadcast"})

    assert response.status_code == 422
    assert "‘grip’ 채널이 이미 있습니다." in response.text
    assert channel_named(db, "grip") is None


def test_a_link_that_is_not_a_web_address_is_refused(db, client_as, coordinator):
    response = client_as(coordinator).post("/channels/new", data={"name": "수상한 채널", "kind": "other",
                                                                   "url": "javascript:alert(1)"})

    assert response.status_code == 422
    assert 'id="url-errors"' in response.text
    assert channel_named(db, "수상한 채널") is None


def test_editing_a_channel_checks_its_version(db, client_as, coordinator):
    channel = channel_named(db, "코레일")
    opened_version = str(channel.version)
    client = client_as(coordinator)

    saved = client.post(f"/channels/{channel.id}/edit", data={"name": "코레일유통", "kind": "public_offline",
                                                              "active": "y", "version": opened_version})
    stale = client.post(f"/channels/{channel.id}/edit", data={"name": "코레일 다시", "kind": "public_offline",
                                                              "version": opened_version})

    assert saved.status_code == 302
    assert stale.status_code == 409
    assert channel_named(db, "코레일유통") is not None
    assert channel_named(db, "코레일 다시") is None


def test_a_coach_may_not_open_channels(client_as, coach):
    assert client_as(coach).get("/channels/").status_code == 403
