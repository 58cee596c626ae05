"""How much `flask demo scale` makes: the national-scale defaults of issue 10, or any fraction of them."""
from dataclasses import dataclass, fields, replace

# Per-parent shapes, kept whole when the counts are scaled: a cohort stays 25 companies × 26 weeks and the
# largest campaign keeps its 100 participants (as far as the scaled counts allow).
SHAPES = frozenset({"enrollments_per_cohort", "weeks", "largest_campaign"})
# The structure needs at least one of these whenever the counts it hangs from are not zero.
AT_LEAST_ONE = frozenset({"programs", "cohorts", "campaigns", "coordinators", "coaches", "long_histories"})


@dataclass(frozen=True)
class Sizes:
    companies: int = 30_000
    long_histories: int = 30  # companies with a long pipeline and edit history (≈150 moves each)
    products: int = 100_000
    programs: int = 20
    cohorts: int = 40
    enrollments_per_cohort: int = 25
    weeks: int = 26
    coaching_sessions: int = 20_000
    needs_assessments: int = 5_000
    campaigns: int = 500
    participations: int = 25_000
    largest_campaign: int = 100
    audit_rows: int = 1_000_000
    coordinators: int = 40
    coaches: int = 60

    @classmethod
    def scaled(cls, factor: float, **overrides: int) -> "Sizes":
        """Every count times `factor` (shapes kept, clamped to what the scaled counts allow), then `overrides`."""
        default = cls()
        values = {}
        for field in fields(cls):
            value = getattr(default, field.name)
            if field.name not in SHAPES:
                value = round(value * factor)
                if field.name in AT_LEAST_ONE:
                    value = max(value, 1)
            values[field.name] = value
        values.update(overrides)
        values["enrollments_per_cohort"] = min(values["enrollments_per_cohort"], values["companies"])
        values["largest_campaign"] = min(values["largest_campaign"], values["participations"], values["companies"])
        values["long_histories"] = min(values["long_histories"], values["companies"])
        return cls(**values)

    def with_counts(self, **counts: int | None) -> "Sizes":
        return replace(self, **{name: value for name, value in counts.items() if value is not None})

    @property
    def enrollments(self) -> int:
        return self.cohorts * self.enrollments_per_cohort

    @property
    def weekly_reports(self) -> int:
        return self.enrollments * self.weeks

    def problems(self) -> list[str]:
        """Why these sizes cannot be generated, for the command to print (empty when they can)."""
        problems = [f"{field.name}: 0 이상이어야 합니다" for field in fields(self) if getattr(self, field.name) < 0]
        if self.companies and not (self.coordinators and self.coaches):
            problems.append("기업에는 코디네이터와 코치가 한 명 이상 필요합니다 (--coordinators, --coaches)")
        if self.products and not self.companies:
            problems.append("상품에는 기업이 필요합니다 (--companies)")
        if self.cohorts and not self.programs:
            problems.append("과정에는 사업이 필요합니다 (--programs)")
        if self.enrollments_per_cohort > self.companies and self.cohorts:
            problems.append("과정당 참여 기업 수가 기업 수보다 많습니다 (한 기업은 한 과정에 한 번)")
        if self.cohorts and self.weeks < 3:
            problems.append("과정은 3주 이상이어야 합니다 (단계가 셋)")
        if self.long_histories > self.companies:
            problems.append("이력이 긴 기업 수가 기업 수보다 많습니다")
        if (self.coaching_sessions or self.needs_assessments) and not self.companies:
            problems.append("코칭과 니즈 파악에는 기업이 필요합니다")
        if self.participations:
            if not self.campaigns:
                problems.append("참여 기록에는 캠페인이 필요합니다 (--campaigns)")
            elif self.largest_campaign > min(self.participations, self.companies):
                problems.append("가장 큰 캠페인의 참여 기업 수가 참여 기록 수나 기업 수보다 많습니다")
            elif self.participations - self.largest_campaign > (self.campaigns - 1) * self.companies:
                problems.append("참여 기록이 캠페인 수 × 기업 수보다 많습니다 (한 기업은 한 캠페인에 한 번)")
        return problems
