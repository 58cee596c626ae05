"""`flask demo scale`: a synthetic dataset of national size (issue 10), quickly and deterministically."""
from crm.scale.generate import PASSWORD, Generated, ScaleRefused, generate
from crm.scale.sizes import Sizes

__all__ = ["PASSWORD", "Generated", "ScaleRefused", "Sizes", "generate"]
