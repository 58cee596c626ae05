"""Demo data: the 2021 programme's sub-projects (slide 8 of the result report)."""
from dataclasses import dataclass

import sqlalchemy as sa

from crm.extensions import db
from crm.programs.models import Program

DEMO_YEAR = 2021
PROGRAM_COHORT = "지역·업종별 사회적경제 공동판로개척 지원사업"
PROGRAM_CONTENT = "홍보콘텐츠 기획·제작 지원"
PROGRAM_EXISTING_CHANNELS = "기존 협력 유통채널 간 협업사업 추진 지원"
PROGRAM_NEW_CHANNELS = "신규 협력채널 발굴 및 협업사업 기획·제안·운영"
PROGRAM_NEW_PRODUCTS = "신규 사회적경제 상품 발굴"
PROGRAM_OTHER = "기타 연계사업"


@dataclass(frozen=True)
class DemoProgram:
    name: str
    description: str
    note: str | None = None


# In the report's order (① to ⑤, then 기타). Descriptions and notes are the summary table's words.
DEMO_PROGRAMS = (
    DemoProgram(PROGRAM_COHORT, "7개 업체 판로 개척 사업 지원 및 3개 업체 맞춤형 코칭 추가 진행", "사업 완료"),
    DemoProgram(PROGRAM_CONTENT, "120여개 업체 제품 추석·공공구매 카탈로그 제작 및 K홈쇼핑 연계",
                "추석 카탈로그: 50개 업체, 공공구매 카탈로그: 66개 업체"),
    DemoProgram(PROGRAM_EXISTING_CHANNELS, "11번가, 롯데온, LG헬로비전, 해피빈, 우체국쇼핑과의 협업사업 추진 지원"),
    DemoProgram(PROGRAM_NEW_CHANNELS, "와디즈 펀딩을 통한 농축수산물 업체 10곳 신규 유통 판로 창출, "
                                      "기획전 및 이벤트 등을 통한 바이소셜 가치 전파", "펀딩 진행 중"),
    DemoProgram(PROGRAM_NEW_PRODUCTS, "e-store36.5 미입점 업체·제품 발굴 및 입점 안내를 통한 유통, 홍보 창출",
                "53개 업체 발굴, 3개 제품 e-store36.5 입점"),
    DemoProgram(PROGRAM_OTHER, "주요 코레일 역사 내 우수 제품 판매를 통한 제품 홍보 및 매출 창출", "판매 진행 중"),
)


def demo_programs() -> dict[str, Program]:
    """The demo programmes of the year, by name."""
    stmt = sa.select(Program).where(Program.year == DEMO_YEAR)
    return {program.name: program for program in db.session.scalars(stmt)}


def load_programs() -> int:
    existing = demo_programs()
    created = 0
    for order, demo in enumerate(DEMO_PROGRAMS, start=1):
        if demo.name not in existing:
            db.session.add(Program(year=DEMO_YEAR, sort_order=order, name=demo.name, description=demo.description,
                                   note=demo.note))
            created += 1
    db.session.flush()
    return created
