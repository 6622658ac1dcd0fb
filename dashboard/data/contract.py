"""The curated data contract, declared once: every other module reads it from here."""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("central", "provincial", "commune", "external")
REGIONS = (
    "Red River Delta",
    "Northern Midlands and Mountains",
    "North Central Coast",
    "South Central Coast",
    "Central Highlands",
    "Southeast",
    "Mekong River Delta",
)
DATA_LAYERS = ("master", "reference", "transaction", "aggregate", "analytical", "open")
SHARING_CLASSES = ("shared", "open", "restricted")
LIFECYCLE_STAGES = ("planned", "building", "operating", "archived", "retired")
DATA_TYPES = ("text", "integer", "decimal", "date", "datetime", "boolean", "code")
CRITERIA = ("correct", "sufficient", "clean", "live")
DIMENSIONS = ("accuracy", "completeness", "uniqueness", "validity", "consistency", "timeliness")
PILLARS = ("strategy", "architecture", "governance", "dictionary")
PHASES = ("2025-2026", "2026-2028", "2028-2030")
CHANNELS = ("api", "file", "manual")
ROADMAP_STATUSES = ("not_started", "in_progress", "done", "blocked", "cancelled")
SCOPE_TYPES = ("all", "province", "agency")
# The KPIs of metrics.md with a green threshold (higher is better): the ones a target may be set for. The
# thresholds live in dashboard/engine/kpis.py (a room above); tests/test_pace.py checks the two agree.
TARGET_KPIS = (
    "sharing_coverage",
    "shared_data_utilization",
    "exchange_success_rate",
    "connected_agencies",
    "reuse_breadth",
    "dossier_reuse_rate",
    "prefill_rate",
    "quality_correct",
    "quality_sufficient",
    "quality_clean",
    "quality_live",
    "quality_index",
    "datasets_ready",
    "ownership_coverage",
    "dictionary_coverage",
    "metadata_completeness",
    "key_databases_operating",
    "schedule_performance",
    "milestones_on_time",
)


@dataclass(frozen=True)
class Column:
    """One column: its DuckDB type, nullability, allowed values and meaning."""

    name: str
    type: str
    doc: str = ""
    nullable: bool = False
    enum: tuple[str, ...] | None = None
    fk: str | None = None  # "table.column"
    min: float | None = None
    min_exclusive: bool = False
    max: float | None = None
    optional: bool = False  # the files may leave the column out: it then reads as all null (nullable columns only)


@dataclass(frozen=True)
class RowRule:
    """A rule over several columns of one row, as a DuckDB boolean expression."""

    name: str
    expr: str
    message: str


@dataclass(frozen=True)
class ConditionalFk:
    """A foreign key that holds only on the rows meeting `when` (a DuckDB boolean expression over the row)."""

    column: str
    ref: str  # "table.column"
    when: str


@dataclass(frozen=True)
class Table:
    """One curated table: its columns, its unique key and its row rules.

    `optional`: the table may be absent (nothing fails; the features that need it say so). `unique`: further
    column sets that must be unique, NULL counting as one value (a NULL `scope_id` of `all` targets included).
    `conditional_fks`: foreign keys that hold only on some rows (a scope_id is a province or an agency)."""

    name: str
    kind: str  # "dimension" or "fact"
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[RowRule, ...] = field(default_factory=tuple)
    optional: bool = False
    unique: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    conditional_fks: tuple[ConditionalFk, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def references(self) -> list[tuple[str, str, str | None]]:
        """Every foreign key as (column, "table.column", condition or None), plain ones first."""
        plain = [(c.name, c.fk, None) for c in self.columns if c.fk]
        return plain + [(f.column, f.ref, f.when) for f in self.conditional_fks]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name} has no column {name!r}")


def _c(name: str, type_: str, doc: str = "", **kw) -> Column:
    return Column(name, type_, doc, **kw)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "agencies",
            "dimension",
            "Every party body that owns, provides or consumes data.",
            (
                _c("agency_id", "VARCHAR", "stable code"),
                _c("name_vi", "VARCHAR", "display name (Vietnamese)"),
                _c("name_en", "VARCHAR", "display name (English)"),
                _c(
                    "level",
                    "VARCHAR",
                    "central, provincial, commune, or external (a body outside the Party's organisation, such as "
                    "the ministry running the population database)",
                    enum=LEVELS,
                ),
                _c(
                    "parent_agency_id",
                    "VARCHAR",
                    "reporting line; null for the top",
                    nullable=True,
                    fk="agencies.agency_id",
                ),
                _c(
                    "province_code",
                    "VARCHAR",
                    "the province this body belongs to; null for central and external bodies",
                    nullable=True,
                    fk="provinces.province_code",
                ),
                _c("is_pilot", "BOOLEAN", "one of the committees piloting the strategy first"),
            ),
            ("agency_id",),
            (
                RowRule(
                    "central_has_no_province",
                    "level not in ('central', 'external') or province_code is null",
                    "a central or external body must not have a province_code",
                ),
                RowRule(
                    "local_has_province",
                    "level in ('central', 'external') or province_code is not null",
                    "a provincial or commune body needs a province_code",
                ),
            ),
        ),
        Table(
            "provinces",
            "dimension",
            "The 34 provincial-level units (since 1 July 2025).",
            (
                _c("province_code", "VARCHAR", "stable code"),
                _c("name_vi", "VARCHAR", "name (Vietnamese)"),
                _c("name_en", "VARCHAR", "name (English)"),
                _c("region", "VARCHAR", "one of the 7 socio-economic regions", enum=REGIONS),
            ),
            ("province_code",),
        ),
        Table(
            "datasets",
            "dimension",
            "Every database or data collection under governance.",
            (
                _c("dataset_id", "VARCHAR", "stable code"),
                _c("name_vi", "VARCHAR", "name (Vietnamese)"),
                _c("name_en", "VARCHAR", "name (English)"),
                _c(
                    "owner_agency_id",
                    "VARCHAR",
                    "the accountable body; null = no owner assigned",
                    nullable=True,
                    fk="agencies.agency_id",
                ),
                _c("steward", "VARCHAR", "the named person or unit operating it; null = none named", nullable=True),
                _c(
                    "data_layer",
                    "VARCHAR",
                    "master, reference, transaction, aggregate, analytical or open",
                    enum=DATA_LAYERS,
                ),
                _c(
                    "sharing_class",
                    "VARCHAR",
                    "shared (inside the political system), open (public) or restricted",
                    enum=SHARING_CLASSES,
                ),
                _c("is_key_database", "BOOLEAN", "one of the key databases the strategy must establish"),
                _c(
                    "lifecycle_stage",
                    "VARCHAR",
                    "planned, building, operating, archived or retired",
                    enum=LIFECYCLE_STAGES,
                ),
                _c(
                    "operating_since",
                    "DATE",
                    "the day the dataset entered operation; null when not operating, or operating since before the "
                    "extracts start (optional column: absent = all null)",
                    nullable=True,
                    optional=True,
                ),
                _c("api_enabled", "BOOLEAN", "reachable through an API connection"),
                _c("metadata_complete", "BOOLEAN", "all mandatory metadata filled in the catalogue"),
                _c(
                    "update_interval_hours",
                    "INTEGER",
                    "the longest the data may go without an update and still be live",
                    min=0,
                    min_exclusive=True,
                ),
            ),
            ("dataset_id",),
            (
                RowRule(
                    "operating_since_only_when_operating",
                    "lifecycle_stage = 'operating' or operating_since is null",
                    "operating_since is set but lifecycle_stage is not operating",
                ),
            ),
        ),
        Table(
            "dictionary_terms",
            "dimension",
            "The shared data dictionary.",
            (
                _c("term_id", "VARCHAR", "stable code"),
                _c("name_vi", "VARCHAR", "name (Vietnamese)"),
                _c("name_en", "VARCHAR", "name (English)"),
                _c("definition_vi", "VARCHAR", "business definition (Vietnamese)"),
                _c("definition_en", "VARCHAR", "business definition (English)"),
                _c("data_type", "VARCHAR", "text, integer, decimal, date, datetime, boolean or code", enum=DATA_TYPES),
                _c("code_table", "VARCHAR", "the shared code table a code term draws from", nullable=True),
            ),
            ("term_id",),
        ),
        Table(
            "data_elements",
            "dimension",
            "The fields of each dataset.",
            (
                _c("element_id", "VARCHAR", "stable code"),
                _c("dataset_id", "VARCHAR", "the dataset", fk="datasets.dataset_id"),
                _c("field_name", "VARCHAR", "technical name"),
                _c(
                    "term_id",
                    "VARCHAR",
                    "mapping to the dictionary; null = not standardised",
                    nullable=True,
                    fk="dictionary_terms.term_id",
                ),
                _c("is_mandatory", "BOOLEAN", "the field must be filled"),
                _c("is_identifier", "BOOLEAN", "the field identifies a person or organisation"),
            ),
            ("element_id",),
        ),
        Table(
            "quality_rules",
            "dimension",
            "The checks behind correct - sufficient - clean - live.",
            (
                _c("rule_id", "VARCHAR", "stable code"),
                _c(
                    "criterion",
                    "VARCHAR",
                    "correct (đúng), sufficient (đủ), clean (sạch) or live (sống)",
                    enum=CRITERIA,
                ),
                _c("dimension", "VARCHAR", "the DAMA / ISO 8000 dimension", enum=DIMENSIONS),
                _c("description_vi", "VARCHAR", "what the rule checks (Vietnamese)"),
                _c("description_en", "VARCHAR", "what the rule checks (English)"),
                _c("weight", "DOUBLE", "importance inside its criterion", min=0, min_exclusive=True),
            ),
            ("rule_id",),
        ),
        Table(
            "roadmap_items",
            "dimension",
            "The strategy's tasks and milestones.",
            (
                _c("item_id", "VARCHAR", "stable code"),
                _c(
                    "parent_item_id",
                    "VARCHAR",
                    "the parent item; null for top-level",
                    nullable=True,
                    fk="roadmap_items.item_id",
                ),
                _c("pillar", "VARCHAR", "strategy, architecture, governance or dictionary", enum=PILLARS),
                _c("phase", "VARCHAR", "2025-2026, 2026-2028 or 2028-2030", enum=PHASES),
                _c("title_vi", "VARCHAR", "title (Vietnamese)"),
                _c("title_en", "VARCHAR", "title (English)"),
                _c("owner_agency_id", "VARCHAR", "who is responsible", fk="agencies.agency_id"),
                _c("is_milestone", "BOOLEAN", "a milestone rather than a task"),
                _c("weight", "DOUBLE", "share of its parent's effort", min=0, min_exclusive=True),
                _c("planned_start", "DATE", "planned start"),
                _c("planned_due", "DATE", "the deadline that counts"),
            ),
            ("item_id",),
            (RowRule("start_before_due", "planned_start <= planned_due", "planned_start is after planned_due"),),
        ),
        Table(
            "exchanges_daily",
            "fact",
            "Data exchanged between agencies: one row per day, provider, consumer, dataset and channel.",
            (
                _c("exchange_date", "DATE", "day of the exchange"),
                _c("provider_agency_id", "VARCHAR", "who serves the data", fk="agencies.agency_id"),
                _c("consumer_agency_id", "VARCHAR", "who uses it", fk="agencies.agency_id"),
                _c("dataset_id", "VARCHAR", "the dataset exchanged", fk="datasets.dataset_id"),
                _c("channel", "VARCHAR", "api, file or manual", enum=CHANNELS),
                _c("calls", "BIGINT", "requests made", min=0),
                _c("calls_ok", "BIGINT", "requests served successfully", min=0),
                _c("records", "BIGINT", "records delivered", min=0),
                _c(
                    "p95_latency_ms",
                    "DOUBLE",
                    "95th percentile latency; null for non-API channels",
                    nullable=True,
                    min=0,
                ),
            ),
            ("exchange_date", "provider_agency_id", "consumer_agency_id", "dataset_id", "channel"),
            (
                RowRule("calls_ok_le_calls", "calls_ok <= calls", "calls_ok > calls"),
                RowRule(
                    "consumer_not_provider",
                    "consumer_agency_id <> provider_agency_id",
                    "consumer_agency_id equals provider_agency_id",
                ),
                RowRule(
                    "latency_only_for_api",
                    "channel = 'api' or p95_latency_ms is null",
                    "p95_latency_ms is set for a non-API channel",
                ),
            ),
        ),
        Table(
            "dossiers_daily",
            "fact",
            "Dossiers processed, and how much data was reused instead of declared again.",
            (
                _c("dossier_date", "DATE", "day the dossiers were processed"),
                _c("agency_id", "VARCHAR", "the body processing the dossiers", fk="agencies.agency_id"),
                _c("procedure_code", "VARCHAR", "the procedure or form"),
                _c("procedure_name_vi", "VARCHAR", "procedure name (Vietnamese)"),
                _c("procedure_name_en", "VARCHAR", "procedure name (English)"),
                _c("dossiers", "BIGINT", "dossiers processed", min=0),
                _c("dossiers_reusing", "BIGINT", "dossiers that reused data already held", min=0),
                _c("fields_total", "BIGINT", "person/organisation fields in those dossiers", min=0),
                _c("fields_prefilled", "BIGINT", "fields filled from existing databases", min=0),
            ),
            ("dossier_date", "agency_id", "procedure_code", "procedure_name_vi", "procedure_name_en"),
            (
                RowRule("reusing_le_dossiers", "dossiers_reusing <= dossiers", "dossiers_reusing > dossiers"),
                RowRule("prefilled_le_total", "fields_prefilled <= fields_total", "fields_prefilled > fields_total"),
            ),
        ),
        Table(
            "quality_checks",
            "fact",
            "Results of running a quality rule on a dataset.",
            (
                _c("check_date", "DATE", "day of the check"),
                _c("dataset_id", "VARCHAR", "the dataset checked", fk="datasets.dataset_id"),
                _c("rule_id", "VARCHAR", "the rule run", fk="quality_rules.rule_id"),
                _c("records_checked", "BIGINT", "records checked", min=0, min_exclusive=True),
                _c("records_passed", "BIGINT", "records that passed", min=0),
            ),
            ("check_date", "dataset_id", "rule_id"),
            (RowRule("passed_le_checked", "records_passed <= records_checked", "records_passed > records_checked"),),
        ),
        Table(
            "roadmap_updates",
            "fact",
            "Weekly progress reports on roadmap items.",
            (
                _c("week_start", "DATE", "the Monday of the reported week"),
                _c("item_id", "VARCHAR", "the roadmap item", fk="roadmap_items.item_id"),
                _c("pct_complete", "DOUBLE", "percent complete, 0..100", min=0, max=100),
                _c("status", "VARCHAR", "not_started, in_progress, done, blocked or cancelled", enum=ROADMAP_STATUSES),
                _c("completed_on", "DATE", "completion day; null unless done", nullable=True),
                _c("note_vi", "VARCHAR", "progress note (Vietnamese)", nullable=True),
            ),
            ("week_start", "item_id"),
            (
                RowRule("week_start_is_monday", "isodow(week_start) = 1", "week_start is not a Monday"),
                RowRule(
                    "completed_only_when_done",
                    "status = 'done' or completed_on is null",
                    "completed_on is set but status is not done",
                ),
            ),
        ),
        Table(
            "kpi_targets",
            "dimension",
            "The targets the strategy sets (optional table: without it, no pace is shown).",
            (
                _c("target_id", "VARCHAR", "stable code"),
                _c("kpi_id", "VARCHAR", "a KPI of metrics.md with a green threshold", enum=TARGET_KPIS),
                _c("scope_type", "VARCHAR", "all, province or agency", enum=SCOPE_TYPES),
                _c(
                    "scope_id",
                    "VARCHAR",
                    "province_code or agency_id; null when scope_type is all",
                    nullable=True,
                ),
                _c("target_date", "DATE", "the date by which the value must be reached"),
                _c("target_value", "DOUBLE", "the value to reach (a fraction)", min=0, max=1),
                _c("phase", "VARCHAR", "2025-2026, 2026-2028 or 2028-2030", enum=PHASES),
                _c("basis_vi", "VARCHAR", "where the target comes from (Vietnamese)"),
                _c("basis_en", "VARCHAR", "where the target comes from (English)"),
            ),
            ("target_id",),
            (
                RowRule(
                    "scope_id_only_for_province_or_agency",
                    "(scope_type = 'all') = (scope_id is null)",
                    "scope_id must be null for scope_type all and set for province or agency",
                ),
            ),
            optional=True,
            unique=(("kpi_id", "scope_type", "scope_id", "target_date"),),
            conditional_fks=(
                ConditionalFk("scope_id", "provinces.province_code", "scope_type = 'province'"),
                ConditionalFk("scope_id", "agencies.agency_id", "scope_type = 'agency'"),
            ),
        ),
    )
}

# Order in which tables can be loaded so that every foreign key points backwards.
LOAD_ORDER = (
    "provinces",
    "agencies",
    "datasets",
    "dictionary_terms",
    "data_elements",
    "quality_rules",
    "roadmap_items",
    "exchanges_daily",
    "dossiers_daily",
    "quality_checks",
    "roadmap_updates",
    "kpi_targets",
)
# The tables the dashboard cannot run without (an optional table may be absent).
REQUIRED_TABLES = tuple(t for t in LOAD_ORDER if not TABLES[t].optional)


POLARS_TYPES = {
    "VARCHAR": "String",
    "BOOLEAN": "Boolean",
    "INTEGER": "Int32",
    "BIGINT": "Int64",
    "DOUBLE": "Float64",
    "DATE": "Date",
}


def missing_optional_columns(table: str, present: list[str] | set[str]) -> list[Column]:
    """The optional columns of a contract table that are not among `present` (they read as all null)."""
    return [c for c in TABLES[table].columns if c.optional and c.name not in present]


def polars_schema(table: str) -> dict:
    """The Polars schema matching a contract table's DuckDB types."""
    import polars as pl

    return {c.name: getattr(pl, POLARS_TYPES[c.type]) for c in TABLES[table].columns}
