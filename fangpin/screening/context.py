"""What every rule receives: the input tables, the policy edition, the month, derived views.

The derived views (active persons, ages, yearly net income, current monitoring spells, ID
numbers of the feeds normalised) are Ibis expressions built once here, so each rule reads as
the policy sentence it implements and every rule computes them the same way.
"""

from __future__ import annotations

import calendar
import itertools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

import ibis
from ibis.expr.types import BooleanValue, DateValue, IntegerValue, StringValue, Table, Value

from fangpin.codes import table as code_table
from fangpin.income import COMPONENTS, EXPENSE_FIELDS, Category
from fangpin.policy import ResolvedEdition
from fangpin.screening.engines import materialise
from fangpin.screening.errors import ScreeningError
from fangpin.screening.inputs import ScreeningInput

__all__ = ["PERSON_COLUMNS", "Context", "month_end", "normalise_id", "parse_month", "per_capita"]

_FULL_WIDTH = "０１２３４５６７８９ｘＸx"
_HALF_WIDTH = "0123456789XXX"


def parse_month(text: str | None, year: int) -> date:
    """``YYYY-MM`` -> its first day; default December of ``year``. Must lie in ``year`` or the
    year after (a January run screens the finished year)."""
    if text is None:
        return date(year, 12, 1)
    try:
        parsed_year, parsed_month = (int(part) for part in text.split("-"))
        first = date(parsed_year, parsed_month, 1)
    except ValueError:
        raise ScreeningError(
            "bad_month", f"月份“{text}”格式不对，应为 YYYY-MM，如 2024-12"
        ) from None
    if parsed_year not in (year, year + 1) or len(text) != 7:
        raise ScreeningError(
            "bad_month", f"月份“{text}”与收入年度 {year} 不符：应在 {year} 年或 {year + 1} 年"
        )
    return first


def month_end(first: date) -> date:
    return date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])


def normalise_id(column: StringValue) -> StringValue:
    """The department's typing of an ID number made comparable: spaces (also U+3000) removed,
    full-width digits and a lower-case check character folded (docs/feeds.md, messiness)."""
    folded = column.replace("\u3000", "").strip().translate(_FULL_WIDTH, _HALF_WIDTH).upper()
    # Almost every number is already clean (digits and "X"): only the others are folded, as
    # translate() is by far the dearest step (DuckDB: ~1 µs a row, most of a feed's matching).
    result: StringValue = ibis.cases((column.re_search("[^0-9X]"), folded), else_=column)
    return result


def per_capita(amount: Value, size: IntegerValue) -> Value:
    """``amount ÷ size`` in yuan, rounded to the fen half away from zero, exactly.

    Computed on integer fen: dividing a decimal by an integer gives a DOUBLE on DuckDB
    (9,668.39 ÷ 2 = 4,834.19499… → 4,834.19) but an exact decimal on Spark (4,834.20), so the
    plain division made the two engines disagree in the last fen.
    """
    cents = (amount.cast("decimal(18, 2)") * 100).cast("int64")
    magnitude = (cents.abs() * 2 + size) // (size * 2)
    signed: IntegerValue = ibis.cases((cents < 0, -magnitude), else_=magnitude)
    fen = ibis.literal(Decimal("0.01"), type="decimal(18, 2)")
    return (signed.cast("decimal(18, 2)") * fen).cast("decimal(18, 2)")


_CONTEXTS = itertools.count(1)

#: The registry columns of ``Context.persons`` (the ones the rules read).
PERSON_COLUMNS = (
    "person_id",
    "household_id",
    "id_number",
    "birth_date",
    "relation",
    "student_status",
    "out_of_school_reason",
    "health",
    "disability_grade",
    "labour_ability",
    "migrant_work_months",
    "migrant_employer",
    "has_resident_medical",
    "has_employee_medical",
    "is_dibao",
    "is_tekun",
    "status",
    "death_date",
)


def _codes(table_name: str, attr: str, expected: object = True) -> tuple[str, ...]:
    return code_table(table_name).codes_where(attr, expected)


@dataclass(frozen=True)
class Context:
    """Tables, edition and month of one run, with the derived views the rules share."""

    data: ScreeningInput
    edition: ResolvedEdition
    month: date  # first day of the screened month
    labour_codes: tuple[str, ...] = field(
        default_factory=lambda: _codes("labour_ability", "has_labour")
    )
    full_labour_codes: tuple[str, ...] = ("10", "20")  # 普通、技能劳动力 (rule 2_11_006)
    excused_reasons: tuple[str, ...] = field(
        default_factory=lambda: _codes("out_of_school_reason", "excused")
    )
    unsafe_grades: tuple[str, ...] = field(
        default_factory=lambda: _codes("housing_grade", "safe", False)
    )
    formerly_poor_types: tuple[str, ...] = field(
        default_factory=lambda: _codes("household_type", "formerly_poor")
    )
    #: Intermediate results the engine materialised on the backend (e.g. ``trigger_hits``),
    #: so later families read them instead of recomputing every trigger.
    materialised: dict[str, Table] = field(default_factory=dict)
    #: Prefix of the backend tables this context creates, unique per context so two runs on
    #: one backend (another month, another edition) never overwrite each other's views.
    token: str = field(default_factory=lambda: f"_screen{next(_CONTEXTS)}")

    def table_name(self, name: str) -> str:
        return f"{self.token}_{name}"

    def _keep(self, name: str, expr: Table) -> Table:
        """Materialise a derived view on the backend once per run.

        Every rule then reads plain columns instead of re-deriving (and re-compiling) e.g. the
        21-component net income; on a large county the work is done once, not per rule.
        DuckDB stores a table; Spark keeps a cached temporary view (``engines.materialise``).
        """
        key = f"view:{name}"
        if key not in self.materialised:
            self.materialised[key] = materialise(self.data.backend, self.table_name(name), expr)
        return self.materialised[key]

    # --- dates -----------------------------------------------------------------------------

    @property
    def year(self) -> int:
        """The income year screened (the edition's year)."""
        return self.edition.year

    @property
    def as_of(self) -> date:
        """Last day of the screened month: ages and 'months since' are counted to it."""
        return month_end(self.month)

    @property
    def window_start(self) -> date:
        """First day of the feed window: ``income_window_months`` months ending at ``as_of``."""
        months = self.edition.income_window_months
        index = self.month.year * 12 + self.month.month - 1 - (months - 1)
        return date(index // 12, index % 12 + 1, 1)

    def in_window(self, day: DateValue) -> BooleanValue:
        result: BooleanValue = day.between(ibis.date(self.window_start), ibis.date(self.as_of))
        return result

    def age(self, birth: DateValue) -> IntegerValue:
        """Completed years on ``as_of``."""
        as_of = self.as_of
        before_birthday = (birth.month() * 100 + birth.day()) > (as_of.month * 100 + as_of.day)
        result: IntegerValue = as_of.year - birth.year() - before_birthday.cast("int64")
        return result

    def months_between(self, start: DateValue, end: DateValue) -> IntegerValue:
        """Whole calendar months from ``start``'s month to ``end``'s month."""
        result: IntegerValue = (end.year() * 12 + end.month()) - (start.year() * 12 + start.month())
        return result

    def months_to_as_of(self, start: DateValue) -> IntegerValue:
        as_of = self.as_of
        result: IntegerValue = (as_of.year * 12 + as_of.month) - (start.year() * 12 + start.month())
        return result

    # --- registry views ---------------------------------------------------------------------

    @cached_property
    def households(self) -> Table:
        """Active households (materialised: nearly every rule filters or joins on them)."""
        t = self.data["households"]
        return self._keep("households", t.filter(t.status == "active"))

    @cached_property
    def persons(self) -> Table:
        """Active persons of active households, with ``age`` on ``as_of``.

        Only the columns of :data:`PERSON_COLUMNS` are stored: the view is materialised, and
        the registry's other columns (names, phones, ethnicity …) would be read and written
        for every person of the county without a rule reading them. A rule that needs another
        column adds it there (a missing one fails when the rule is built, not silently).
        """
        p = self.data["persons"]
        active = p.filter(p.status == "active")
        active = active.semi_join(self.households, "household_id")
        active = active.select(*PERSON_COLUMNS)
        return self._keep("persons", active.mutate(age=self.age(active.birth_date)))

    @cached_property
    def heads(self) -> Table:
        """household_id -> the head's ID number (feeds name households by it)."""
        p = self.persons
        return p.filter(p.relation == "01").select("household_id", head_id_number=p.id_number)

    @cached_property
    def person_keys(self) -> Table:
        """Every registered person (any status) by ID number, for matching feeds.

        Not materialised: each feed's match reads only the columns it needs, and storing all
        10M persons once cost as much as it saved (docs/benchmarks.md). No rule reads a
        person's name from a feed match, so none is carried into the stored matches.
        """
        p = self.data["persons"]
        return p.select(
            "person_id",
            "household_id",
            "relation",
            "health",
            "disability_grade",
            "labour_ability",
            "birth_date",
            id_key=p.id_number.upper(),
            person_status=p.status,
        )

    def finance(self, year: int) -> Table:
        """Finance rows of ``year``: household_size, category totals, net income, compliant OOP."""
        key = f"view:finance_{year}"
        if key in self.materialised:
            return self.materialised[key]
        f = self.data["finances"]
        f = f.filter(f.year == year)
        dec = "decimal(18, 2)"
        totals = {
            category.value: sum(
                (f[c.field].cast(dec) for c in COMPONENTS if c.category == category),
                ibis.literal(Decimal(0), type=dec),
            )
            for category in Category
        }
        expenses = sum(
            (f[name].cast(dec) for name, _ in EXPENSE_FIELDS), ibis.literal(Decimal(0), type=dec)
        )
        net = sum(totals.values(), ibis.literal(Decimal(0), type=dec)) - expenses
        return self._keep(
            f"finance_{year}",
            f.select(
                "household_id",
                "household_size",
                wage_income=totals[Category.WAGE.value],
                transfer_income=totals[Category.TRANSFER.value],
                net_income=net,
                compliant_oop=f.compliant_oop_spending.cast(dec),
                wage_migrant=f.wage_migrant,
                wage_local=f.wage_local,
            ),
        )

    @cached_property
    def income(self) -> Table:
        """This year's finances of active households with the effective income of the line test.

        ``effective_income`` is net income, less compliant out-of-pocket spending when the
        edition says so (``monitoring.net_of_compliant_oop``, DOMAIN.md §2.3 [D]).
        """
        f = self.finance(self.year).semi_join(self.households, "household_id")
        effective = (
            f.net_income - f.compliant_oop if self.edition.net_of_compliant_oop else f.net_income
        )
        size = f.household_size.cast("int64")
        return self._keep(
            "income",
            f.mutate(
                effective_income=effective,
                per_capita=per_capita(f.net_income, size),
                effective_per_capita=per_capita(effective, size),
            ),
        )

    @cached_property
    def spells(self) -> Table:
        """Current monitoring spells of active households, with household_id."""
        m = self.data["monitorings"]
        m = m.filter(m.is_current)
        h = self.households.select("household_id", "household_number", "household_type")
        return self._keep("spells", m.join(h, "household_number"))

    @cached_property
    def open_spells(self) -> Table:
        s = self.spells
        return s.filter(s.eliminated_month.isnull())

    @cached_property
    def eliminated_spells(self) -> Table:
        s = self.spells
        return s.filter(s.eliminated_month.notnull())

    @cached_property
    def spell_risks(self) -> Table:
        """Risks of the current spells: household_id, risk_type, position."""
        r = self.data["monitoring_risks"]
        s = self.spells.select("household_number", "identified_month", "household_id")
        return r.join(s, ["household_number", "identified_month"]).select(
            "household_id", "risk_type", "position"
        )

    @cached_property
    def labour(self) -> Table:
        """Per household: members, members with labour, with full labour, with a work record."""
        p = self.persons
        has_labour = p.labour_ability.isin(self.labour_codes)
        return self._keep(
            "labour",
            p.group_by("household_id").aggregate(
                members=p.count(),
                with_labour=has_labour.cast("int64").sum(),
                full_labour=p.labour_ability.isin(self.full_labour_codes).cast("int64").sum(),
                migrant_workers=(p.migrant_work_months > 0).cast("int64").sum(),
            ),
        )

    @cached_property
    def children_out_of_school(self) -> Table:
        """Registry: children of compulsory-school age (6–15) out of school without an excuse."""
        p = self.persons
        compulsory = p.age.between(6, 15)
        out = (p.student_status == "00") & ~p.out_of_school_reason.isin(self.excused_reasons)
        return p.filter(compulsory & out).select("household_id", "person_id", "age")

    # --- feeds ------------------------------------------------------------------------------

    def feed(self, name: str, id_column: str = "id_number", *, distinct: bool = True) -> Table:
        """A feed with exact duplicates dropped and ``id_key``, the normalised ID number.

        Not materialised: its matched rows are (``feed_persons``, ``feed_households``), so the
        whole feed is read once, not stored twice. ``distinct=False`` keeps exact duplicates,
        for a caller that drops them anyway (``medical_claims``).
        """
        t = self.data[name]
        # Float columns (only crop_loss_mu) are left out: no rule reads them, and floats bring
        # NaN semantics that differ between backends.
        t = t.select(*[c for c, dtype in t.schema().items() if not dtype.is_floating()])
        if distinct:
            t = t.distinct()
        return t.mutate(id_key=normalise_id(t[id_column]))

    def _feed_persons(self, name: str, *, distinct: bool = True) -> Table:
        return self.feed(name, distinct=distinct).join(self.person_keys, "id_key")

    def feed_persons(self, name: str) -> Table:
        """Feed rows matched to registered persons (any status): adds the person's columns."""
        return self._keep(f"feed_persons_{name}", self._feed_persons(name))

    def feed_households(self, name: str) -> Table:
        """Household feeds (keyed by the head's ID number) matched to active households."""
        t = self.feed(name, "head_id_number")
        heads = self.heads.mutate(id_key=self.heads.head_id_number.upper()).drop("head_id_number")
        return self._keep(f"feed_households_{name}", t.join(heads, "id_key"))

    @cached_property
    def medical_claims(self) -> Table:
        """Medical claims in the window of active members of active households: claim_id,
        household_id, total_cost, compliant_oop. Near-duplicates (same person, stay and bill
        under a new claim id) are counted once, as the claim with the smallest id.

        Exact duplicates need no DISTINCT of their own here: they are near-duplicates too
        (same person, stay and bill), and the claim kept of them is the same whichever row.
        The person is the registered person the claim's ID number matched (``person_id``):
        an ID number two registered persons share (a data error, ``quality.duplicate_id_number``)
        gives each of them the claim, where a window over the ID number kept one of the two
        at random.

        The largest feed (35 million claims at 10M persons): the matched claims are stored
        once, narrow; nearly every one is alone of its stay (0.5% repeat one), so the
        smallest claim id is looked for only among the repeated stays, which a count per
        stay finds. Keeping the smallest claim of every stay at once (``row_number()`` over
        the stays, or a GROUP BY taking ``min(claim_id)``) carried the claim ids of all of
        them through a sort or a hash table: most of the view's two minutes at 10M persons.
        """
        c = self._feed_persons("medical_claims", distinct=False)
        c = c.filter(self.in_window(c.discharge_date) & (c.person_status == "active"))
        c = c.semi_join(self.households, "household_id")
        stay = ["person_id", "admission_date", "discharge_date", "total_cost"]
        columns = ["claim_id", "household_id", "total_cost", "compliant_oop"]
        # Stored: read by the count per stay, and by each read of the result.
        matched = self._keep("medical_claims_matched", c.select(*stay, *columns[:2], columns[3]))
        counts = matched.group_by(stay).aggregate(copies=matched.count())
        repeated = self._keep(
            "medical_claims_repeated", counts.filter(counts.copies > 1).select(*stay)
        )
        alone = matched.anti_join(repeated, stay).select(*columns)
        twins = matched.semi_join(repeated, stay)
        first = twins.group_by(stay).aggregate(
            claim_id=twins.claim_id.min(),
            household_id=twins.household_id.argmin(twins.claim_id),
            compliant_oop=twins.compliant_oop.argmin(twins.claim_id),
        )
        # Not stored a second time: a read of it streams the stored claims past the few
        # repeated stays, which cost less than writing them all again (10M, 2 GB bound).
        return alone.union(first.select(*columns))
