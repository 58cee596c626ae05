"""The partner channels of the report, preloaded; coordinators add more on /channels/.

The migration that creates the table inserts the same rows; `seed_channels` fills a database made with
create_all (tests) and adds what a newer list has (idempotent)."""
import sqlalchemy as sa

from crm.extensions import db

# (name, kind)
CHANNELS = (
    ("11번가", "open_market"), ("롯데온", "open_market"), ("LG헬로비전", "broadcast"), ("해피빈", "value_platform"),
    ("우체국쇼핑", "public_offline"), ("와디즈", "crowdfunding"), ("코레일", "public_offline"),
    ("네이버 쇼핑라이브", "broadcast"), ("K홈쇼핑", "broadcast"), ("롯데마트", "public_offline"),
    ("농협하나로마트", "public_offline"),
)


def seed_channels() -> None:
    from crm.campaigns.models import Channel, ChannelKind

    known = set(db.session.scalars(sa.select(Channel.name)))
    for order, (name, kind) in enumerate(CHANNELS):
        if name not in known:
            db.session.add(Channel(name=name, kind=ChannelKind(kind), sort_order=order))
    db.session.flush()
