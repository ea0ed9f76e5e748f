"""Measuring the truth (docs/evaluation.md): third-party evaluation campaigns by sampling
(三率一度), exit qualification from the registry, poverty measures by region and year, and the
integrity report against 数字脱贫 — the Django side of the pure cores ``fangpin.sampling``,
``fangpin.measures`` and ``fangpin.integrity``."""
