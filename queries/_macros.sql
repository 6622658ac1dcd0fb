-- Scope rules of metrics.md, defined once and created in every scope database.
create or replace macro scope_agency_ids(scope_type, scope_id) as table
    select agency_id
    from agencies
    where scope_type = 'all'
       or (scope_type = 'province' and province_code = scope_id)
       or (scope_type = 'agency' and agency_id = scope_id);

-- A dataset belongs to the scope of its owner; a dataset with no owner belongs only to 'all'.
create or replace macro scope_dataset_ids(scope_type, scope_id) as table
    select dataset_id
    from datasets
    where scope_type = 'all'
       or owner_agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id));

-- Exchange rows of the period whose provider or consumer is in scope, with the level of both ends.
create or replace macro scope_exchanges(period_start, period_end, scope_type, scope_id) as table
    select
        exchanges_daily.*,
        provider.level as provider_level,
        consumer.level as consumer_level,
    from exchanges_daily
    left join agencies as provider on provider.agency_id = exchanges_daily.provider_agency_id
    left join agencies as consumer on consumer.agency_id = exchanges_daily.consumer_agency_id
    where exchanges_daily.exchange_date between period_start and period_end
      and (
          exchanges_daily.provider_agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id))
          or exchanges_daily.consumer_agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id))
      );

-- For each (dataset, rule) of the scope, its latest check on or before as_of.
create or replace macro latest_quality_checks(as_of, scope_type, scope_id) as table
    select
        quality_checks.check_date,
        quality_checks.dataset_id,
        quality_checks.rule_id,
        quality_rules.criterion,
        quality_rules.weight,
        quality_checks.records_checked,
        quality_checks.records_passed,
    from quality_checks
    join quality_rules on quality_rules.rule_id = quality_checks.rule_id
    where quality_checks.check_date <= as_of
      and quality_checks.dataset_id in (select dataset_id from scope_dataset_ids(scope_type, scope_id))
    qualify row_number() over (
        partition by quality_checks.dataset_id, quality_checks.rule_id
        order by quality_checks.check_date desc
    ) = 1;

-- Each roadmap item of the scope as of as_of: latest update (none: 0 %, not_started), leaf or not,
-- and the fraction of its planned window elapsed (clamped to 0..1, 1 once due).
create or replace macro roadmap_item_status(as_of, scope_type, scope_id) as table
    with latest_updates as (
        select item_id, pct_complete, status, completed_on
        from roadmap_updates
        where week_start <= as_of
        qualify row_number() over (partition by item_id order by week_start desc) = 1
    )
    select
        roadmap_items.*,
        coalesce(latest_updates.pct_complete, 0) as pct_complete,
        coalesce(latest_updates.status, 'not_started') as status,
        latest_updates.completed_on,
        roadmap_items.item_id not in (
            select parent_item_id from roadmap_items where parent_item_id is not null
        ) as is_leaf,
        case
            when as_of >= roadmap_items.planned_due then 1.0
            when as_of <= roadmap_items.planned_start then 0.0
            else date_diff('day', roadmap_items.planned_start, as_of::date)::double
                / date_diff('day', roadmap_items.planned_start, roadmap_items.planned_due)
        end as planned_fraction,
    from roadmap_items
    left join latest_updates on latest_updates.item_id = roadmap_items.item_id
    where roadmap_items.owner_agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id));

-- Whole ISO weeks of a period: from the first Monday on or after period_start to the last Sunday on or
-- before period_end. Queries read those weeks from the weekly rollups and only the days outside them (the
-- partial weeks at the edges) from the daily facts; the sums are the same as over the daily rows alone.
create or replace macro full_weeks_first(period_start) as
    period_start::date + ((8 - isodow(period_start::date)) % 7)::integer;

create or replace macro full_weeks_last(period_end) as
    period_end::date - (isodow(period_end::date) % 7)::integer;

-- Exchange rows of the period at the weekly grain (week_start, provider, consumer, dataset, channel): whole
-- weeks from exchanges_weekly, edge days from exchanges_daily (one row per day). calls_ok > 0 on a row means
-- the same at either grain (calls_ok is never negative), so distinct counts over such rows are unchanged.
create or replace macro period_exchange_weeks(period_start, period_end) as table
    select
        week_start,
        provider_agency_id,
        consumer_agency_id,
        dataset_id,
        channel,
        calls,
        calls_ok,
        records,
        latency_calls,
        latency_weighted_sum,
        last_exchange_date,
    from exchanges_weekly
    where week_start between full_weeks_first(period_start) and full_weeks_last(period_end) - 6
    union all
    select
        date_trunc('week', exchange_date)::date as week_start,
        provider_agency_id,
        consumer_agency_id,
        dataset_id,
        channel,
        calls,
        calls_ok,
        records,
        if(p95_latency_ms is null, 0, calls)::bigint as latency_calls,
        p95_latency_ms * calls as latency_weighted_sum,
        exchange_date as last_exchange_date,
    from exchanges_daily
    where exchange_date between period_start::date and least(period_end::date, full_weeks_first(period_start) - 1)
       or exchange_date between greatest(period_start::date, full_weeks_last(period_end) + 1) and period_end::date;

-- scope_exchanges at the weekly grain: rows of the period whose provider or consumer is in scope, with levels.
create or replace macro scope_exchange_weeks(period_start, period_end, scope_type, scope_id) as table
    select
        period_exchanges.*,
        provider.level as provider_level,
        consumer.level as consumer_level,
    from period_exchange_weeks(period_start, period_end) as period_exchanges
    left join agencies as provider on provider.agency_id = period_exchanges.provider_agency_id
    left join agencies as consumer on consumer.agency_id = period_exchanges.consumer_agency_id
    where period_exchanges.provider_agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id))
       or period_exchanges.consumer_agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id));

-- Dossier rows of the period at the weekly grain (week_start, agency, procedure): whole weeks from
-- dossiers_weekly, edge days from dossiers_daily.
create or replace macro period_dossier_weeks(period_start, period_end) as table
    select
        week_start,
        agency_id,
        procedure_code,
        procedure_name_vi,
        procedure_name_en,
        dossiers,
        dossiers_reusing,
        fields_total,
        fields_prefilled,
    from dossiers_weekly
    where week_start between full_weeks_first(period_start) and full_weeks_last(period_end) - 6
    union all
    select
        date_trunc('week', dossier_date)::date as week_start,
        agency_id,
        procedure_code,
        procedure_name_vi,
        procedure_name_en,
        dossiers,
        dossiers_reusing,
        fields_total,
        fields_prefilled,
    from dossiers_daily
    where dossier_date between period_start::date and least(period_end::date, full_weeks_first(period_start) - 1)
       or dossier_date between greatest(period_start::date, full_weeks_last(period_end) + 1) and period_end::date;
