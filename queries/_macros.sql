-- Scope rules of metrics.md and the building blocks the queries share, each defined once here and created in
-- every scope database (dashboard/engine/db.py), every workbench database (dashboard/engine/sandbox.py) and the
-- benchmark's baseline (dashboard/devtools/bench.py). A macro comes after the macros it calls. Macros over the
-- rollups come last: the page checker's empty contract database has no rollups, and stops creating there.

-- Exact sums. A sum of DOUBLE values depends on the order its rows are added in, and with more than one thread
-- that order changes from run to run and between a scope's own database and `all`: the last digits of a KPI
-- would too. So the fractional values the queries sum are cast to DECIMAL, whose sums are exact in any order,
-- and the sums go back to DOUBLE only after. A quality rule's weight (12 decimals) times whole records, exact up
-- to 1e26:
create or replace macro weighted_records(weight, records) as weight::decimal(38, 12) * records;

-- Any other fractional value summed (a roadmap weight, weight * percent, weight * planned fraction, a latency
-- sum): to 18 decimals, up to 1e20.
create or replace macro exact_decimal(value) as value::decimal(38, 18);

-- The sum and the count of the values among a, b, c, d that are not null, added in that order: the four
-- quality criteria (correct, sufficient, clean, live) of a dataset or a scope. An avg() over their rows would add
-- them in the order its threads happen to give.
create or replace macro sum_of_four(a, b, c, d) as coalesce(a, 0) + coalesce(b, 0) + coalesce(c, 0) + coalesce(d, 0);

create or replace macro count_of_four(a, b, c, d) as
    (a is not null)::integer + (b is not null)::integer + (c is not null)::integer + (d is not null)::integer;

-- A dataset is operating as of as_of when it is at the operating stage and entered operation on or before as_of
-- (operating_since null: operating since before the extracts start).
create or replace macro operating_as_of(lifecycle_stage, operating_since, as_of) as
    lifecycle_stage = 'operating' and (operating_since is null or operating_since <= as_of::date);

-- The bodies of a scope. External bodies (level 'external', State bodies outside the Party's organisation) are in
-- no scope, 'all' included: their exchange rows still count in a scope through the other side (the rows whose
-- provider or consumer is in scope), but they are never among the agencies a KPI counts.
create or replace macro scope_agency_ids(scope_type, scope_id) as table
    select agency_id
    from agencies
    where level is distinct from 'external'
      and (
          scope_type = 'all'
          or (scope_type = 'province' and province_code = scope_id)
          or (scope_type = 'agency' and agency_id = scope_id)
      );

-- A dataset belongs to the scope of its owner; a dataset with no owner belongs only to 'all'; a dataset owned by an
-- external body belongs to no scope, 'all' included.
create or replace macro scope_dataset_ids(scope_type, scope_id) as table
    select dataset_id
    from datasets
    where (scope_type = 'all' and owner_agency_id is null)
       or owner_agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id));

-- The rows of the datasets of the scope.
create or replace macro scope_datasets(scope_type, scope_id) as table
    select *
    from datasets
    where dataset_id in (select dataset_id from scope_dataset_ids(scope_type, scope_id));

-- The datasets of the scope that are not retired: the ones the governance KPIs and tables count.
create or replace macro live_datasets(scope_type, scope_id) as table
    select *
    from scope_datasets(scope_type, scope_id)
    where lifecycle_stage <> 'retired';

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

-- Each (dataset, criterion) of the scope as of as_of: the weighted pass rate of its rules' latest checks.
create or replace macro dataset_criterion_scores(as_of, scope_type, scope_id) as table
    select
        dataset_id,
        criterion,
        sum(weighted_records(weight, records_passed))::double
            / sum(weighted_records(weight, records_checked))::double as score,
    from latest_quality_checks(as_of, scope_type, scope_id)
    group by dataset_id, criterion;

-- Each dataset of the scope with a check as of as_of: its four criterion scores (null when not checked), its
-- quality index (the mean of the scores it has) and its weakest criterion (on a tie, the first in the order
-- correct, sufficient, clean, live).
create or replace macro dataset_quality(as_of, scope_type, scope_id) as table
    select
        dataset_id,
        correct,
        sufficient,
        clean,
        live,
        sum_of_four(correct, sufficient, clean, live) / count_of_four(correct, sufficient, clean, live)
            as quality_index,
        weakest_criterion,
        weakest_score,
    from (
        select
            dataset_id,
            max(score) filter (where criterion = 'correct') as correct,
            max(score) filter (where criterion = 'sufficient') as sufficient,
            max(score) filter (where criterion = 'clean') as clean,
            max(score) filter (where criterion = 'live') as live,
            arg_min(
                criterion, (score, list_position(['correct', 'sufficient', 'clean', 'live'], criterion))
            ) as weakest_criterion,
            min(score) as weakest_score,
        from dataset_criterion_scores(as_of, scope_type, scope_id)
        group by dataset_id
    );

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

-- The leaf items of the scope as of as_of that are not cancelled: what roadmap_progress and schedule_performance
-- weigh.
create or replace macro active_leaf_items(as_of, scope_type, scope_id) as table
    select *
    from roadmap_item_status(as_of, scope_type, scope_id)
    where is_leaf and status <> 'cancelled';

-- The items of the scope past their due date and neither done nor cancelled as of as_of, with how many days
-- late they are (items_overdue counts the leaves among them; the milestones among them are overdue milestones).
create or replace macro overdue_items(as_of, scope_type, scope_id) as table
    select
        *,
        date_diff('day', planned_due, as_of::date) as days_overdue,
    from roadmap_item_status(as_of, scope_type, scope_id)
    where status not in ('done', 'cancelled') and planned_due < as_of::date;

-- Whole ISO weeks of a period: from the first Monday on or after period_start to the last Sunday on or
-- before period_end. Queries read those weeks from the weekly rollups and only the days outside them (the
-- partial weeks at the edges) from the daily facts; the sums are the same as over the daily rows alone.
create or replace macro full_weeks_first(period_start) as
    period_start::date + ((8 - isodow(period_start::date)) % 7)::integer;

create or replace macro full_weeks_last(period_end) as
    period_end::date - (isodow(period_end::date) % 7)::integer;

-- The daily exchange rows of the days first_day .. last_day (one range: a scan can skip the other days) in the
-- columns of exchanges_weekly, each day a row of its week.
create or replace macro exchange_days_as_weeks(first_day, last_day) as table
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
    where exchange_date between first_day::date and last_day::date;

-- The daily exchange rows of the partial weeks at the edges of the period, in the columns of exchanges_weekly: the
-- leading and the trailing edge days are two scans with one range each, disjoint (the trailing one starts at the
-- first whole week at the earliest), instead of one scan with an OR of the two ranges: measured A/B under load,
-- 20-30 % off kpis_exchanges for the whole-week presets (both ranges empty); on a quiet machine within the noise
-- (docs/performance.md, 2026-12-03).
create or replace macro period_exchange_edge_days(period_start, period_end) as table
    select * from exchange_days_as_weeks(period_start, least(period_end::date, full_weeks_first(period_start) - 1))
    union all
    select * from exchange_days_as_weeks(
        greatest(period_start::date, full_weeks_first(period_start), full_weeks_last(period_end) + 1), period_end
    );

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
    select * from period_exchange_edge_days(period_start, period_end);

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

-- Exchange rows of the period at the grain of exchange_flows_weekly (week_start, each end known or not, its level
-- and province): whole weeks from that rollup, edge days from exchanges_daily with the same columns. Sums of calls,
-- successful calls and records over them are the sums over the exchange rows.
create or replace macro period_exchange_flows(period_start, period_end) as table
    select
        week_start,
        provider_known,
        provider_level,
        provider_province,
        consumer_known,
        consumer_level,
        consumer_province,
        calls,
        calls_ok,
        records,
    from exchange_flows_weekly
    where week_start between full_weeks_first(period_start) and full_weeks_last(period_end) - 6
    union all
    select
        edge_days.week_start,
        provider.agency_id is not null,
        provider.level,
        provider.province_code,
        consumer.agency_id is not null,
        consumer.level,
        consumer.province_code,
        edge_days.calls,
        edge_days.calls_ok,
        edge_days.records,
    from period_exchange_edge_days(period_start, period_end) as edge_days
    left join agencies as provider on provider.agency_id = edge_days.provider_agency_id
    left join agencies as consumer on consumer.agency_id = edge_days.consumer_agency_id;

-- One end of a flow is a body of the scope 'all' or of a province (scope_agency_ids, on the flow's columns): a body
-- of the agencies table, not external, and of that province.
create or replace macro flow_end_in_scope(known, level, province_code, scope_type, scope_id) as
    known and level is distinct from 'external'
    and (scope_type = 'all' or (scope_type = 'province' and province_code = scope_id));

-- scope_exchange_weeks summed to what the sums by level need (week_start, provider_level, consumer_level, calls,
-- calls_ok, records): the whole weeks of `all` and of a province from exchange_flows_weekly (the rule on each end's
-- columns), a body's whole weeks and every scope's edge days from the exchange rows (the rule on the bodies). The
-- branch not taken reads nothing (the scope type is a constant of the query); the edge days are written once, so
-- the query has one copy of them to plan (planning is most of a small scope's query time).
create or replace macro scope_exchange_flows(period_start, period_end, scope_type, scope_id) as table
    select week_start, provider_level, consumer_level, calls, calls_ok, records,
    from exchange_flows_weekly
    where scope_type in ('all', 'province')
      and week_start between full_weeks_first(period_start) and full_weeks_last(period_end) - 6
      and (
          flow_end_in_scope(provider_known, provider_level, provider_province, scope_type, scope_id)
          or flow_end_in_scope(consumer_known, consumer_level, consumer_province, scope_type, scope_id)
      )
    union all
    select exchange_rows.week_start, provider.level, consumer.level, exchange_rows.calls, exchange_rows.calls_ok,
        exchange_rows.records,
    from (
        select week_start, provider_agency_id, consumer_agency_id, calls, calls_ok, records,
        from exchanges_weekly
        where scope_type not in ('all', 'province')
          and week_start between full_weeks_first(period_start) and full_weeks_last(period_end) - 6
        union all
        select week_start, provider_agency_id, consumer_agency_id, calls, calls_ok, records,
        from period_exchange_edge_days(period_start, period_end)
    ) as exchange_rows
    left join agencies as provider on provider.agency_id = exchange_rows.provider_agency_id
    left join agencies as consumer on consumer.agency_id = exchange_rows.consumer_agency_id
    where exchange_rows.provider_agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id))
       or exchange_rows.consumer_agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id));

-- The bodies with a successful exchange in the period, as provider or as consumer (connected_agencies): the whole
-- weeks' from exchange_agencies_weekly (one row per week and body), the edge days' from exchanges_daily.
create or replace macro connected_agency_ids(period_start, period_end) as table
    with edge_days as (
        select * from period_exchange_edge_days(period_start, period_end)
    )
    select agency_id
    from exchange_agencies_weekly
    where week_start between full_weeks_first(period_start) and full_weeks_last(period_end) - 6
      and connected
    union
    select provider_agency_id from edge_days where calls_ok > 0
    union
    select consumer_agency_id from edge_days where calls_ok > 0;

-- The (dataset, consumer) pairs with a successful call in the period: the whole weeks' from dataset_consumer_spans
-- (a span reaching into them: it starts by their last and ends by their first; none when the period has no whole
-- week), the edge days' from exchanges_daily; a pair may come more than once (several spans, edge days).
create or replace macro period_dataset_consumers(period_start, period_end) as table
    select dataset_id, consumer_agency_id
    from dataset_consumer_spans
    where full_weeks_first(period_start) <= full_weeks_last(period_end) - 6
      and first_week <= full_weeks_last(period_end) - 6
      and last_week >= full_weeks_first(period_start)
    union all
    select dataset_id, consumer_agency_id
    from period_exchange_edge_days(period_start, period_end)
    where calls_ok > 0;

-- The operating shared datasets of the scope as of period_end (sharing_class shared or open) with count_consumers:
-- the distinct bodies other than the owner with calls_ok > 0 in the period (shared_data_utilization counts the
-- datasets with 1 or more, reuse_breadth those with 2 or more).
create or replace macro operating_shared_datasets(period_start, period_end, scope_type, scope_id) as table
    with operating_shared as (
        select *
        from scope_datasets(scope_type, scope_id)
        where operating_as_of(lifecycle_stage, operating_since, period_end)
          and sharing_class in ('shared', 'open')
    ),
    consumers as (
        select
            operating_shared.dataset_id,
            count(distinct pairs.consumer_agency_id) filter (
                where pairs.consumer_agency_id is distinct from operating_shared.owner_agency_id
            ) as count_consumers,
        from operating_shared
        left join period_dataset_consumers(period_start, period_end) as pairs
            on pairs.dataset_id = operating_shared.dataset_id
        group by operating_shared.dataset_id
    )
    select
        operating_shared.*,
        consumers.count_consumers,
    from operating_shared
    join consumers on consumers.dataset_id = operating_shared.dataset_id;

-- Calls and successful calls of each province in the period: the exchange rows whose provider or consumer
-- belongs to it (the rule of scope_exchanges with the province as the scope), a row counted once when both do.
create or replace macro province_calls(period_start, period_end) as table
    with row_provinces as (
        select calls, calls_ok, provider_province, consumer_province,
        from period_exchange_flows(period_start, period_end)
    )
    select province_code, sum(calls) as count_calls, sum(calls_ok) as count_calls_ok,
    from (
        select provider_province as province_code, calls, calls_ok
        from row_provinces
        where provider_province is not null
        union all
        select consumer_province, calls, calls_ok
        from row_provinces
        where consumer_province is not null and consumer_province is distinct from provider_province
    )
    group by province_code;

-- Calls, successful calls and success rate per ISO week of the period: of the exchanges in scope (provider or
-- consumer in it) when one_dataset_id is null, else of every exchange of that one dataset if the scope owns it.
create or replace macro weekly_calls(period_start, period_end, scope_type, scope_id, one_dataset_id) as table
    with weekly as (
        select week_start, sum(calls)::bigint as count_calls, sum(calls_ok)::bigint as count_calls_ok,
        from (
            select week_start, calls, calls_ok,
            from scope_exchange_flows(period_start, period_end, scope_type, scope_id)
            where one_dataset_id is null
            union all
            select week_start, calls, calls_ok,
            from period_exchange_weeks(period_start, period_end) as period_exchanges
            where one_dataset_id is not null
              and period_exchanges.dataset_id = one_dataset_id
              and one_dataset_id in (select dataset_id from scope_dataset_ids(scope_type, scope_id))
        )
        group by week_start
    )
    select
        week_start,
        count_calls,
        count_calls_ok,
        count_calls_ok::double / nullif(count_calls, 0) as success_rate,
    from weekly;

-- The daily dossier rows of the days first_day .. last_day in the columns of dossiers_weekly.
create or replace macro dossier_days_as_weeks(first_day, last_day) as table
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
    where dossier_date between first_day::date and last_day::date;

-- Dossier rows of the period at the weekly grain (week_start, agency, procedure): whole weeks from
-- dossiers_weekly, edge days from dossiers_daily (two disjoint scans, as in period_exchange_weeks).
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
    select * from dossier_days_as_weeks(period_start, least(period_end::date, full_weeks_first(period_start) - 1))
    union all
    select * from dossier_days_as_weeks(
        greatest(period_start::date, full_weeks_first(period_start), full_weeks_last(period_end) + 1), period_end
    );

-- period_dossier_weeks of the scope's bodies.
create or replace macro scope_dossier_weeks(period_start, period_end, scope_type, scope_id) as table
    select *
    from period_dossier_weeks(period_start, period_end)
    where agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id));

-- Dossiers of the scope's bodies in the period per (body, procedure): totals, fields declared again
-- (fields_total - fields_prefilled), and the pair's rank by fields declared again among its body's procedures
-- (ties: procedure_code) and among its procedure's bodies (ties: agency_id), 1 = the most.
create or replace macro dossier_hotspots(period_start, period_end, scope_type, scope_id) as table
    with pairs as (
        select
            agency_id,
            procedure_code,
            max(procedure_name_vi) as procedure_name_vi,
            max(procedure_name_en) as procedure_name_en,
            sum(dossiers) as count_dossiers,
            sum(dossiers_reusing) as count_dossiers_reusing,
            sum(fields_total) as count_fields,
            sum(fields_prefilled) as count_fields_prefilled,
            sum(fields_total - fields_prefilled) as count_fields_redeclared,
        from scope_dossier_weeks(period_start, period_end, scope_type, scope_id)
        group by agency_id, procedure_code
    )
    select
        *,
        row_number() over (
            partition by agency_id order by count_fields_redeclared desc, procedure_code
        ) as rank_in_body,
        row_number() over (
            partition by procedure_code order by count_fields_redeclared desc, agency_id
        ) as rank_in_procedure,
    from pairs;

-- The provinces of the scope with their names and whether their provincial committee is one of the pilots
-- (is_pilot on a provincial-level body of the province): the rows of the province scorecard.
create or replace macro scope_province_list(scope_type, scope_id, lang) as table
    select
        provinces.province_code,
        if(lang = 'en', provinces.name_en, provinces.name_vi) as province_name,
        coalesce(bool_or(agencies.is_pilot) filter (where agencies.level = 'provincial'), false) as is_pilot,
    from provinces
    join agencies on agencies.province_code = provinces.province_code
    where provinces.province_code in (
        select province_code
        from agencies
        where agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id))
    )
    group by all;
