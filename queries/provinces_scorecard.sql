-- The province scorecard: for each province of the scope, one headline KPI per area, each exactly as metrics.md
-- defines it with the province as the scope, in one pass over the data (rows grouped by their body's province,
-- not one KPI run per province); then two group rows, the pilot committees and the others. A group row is the
-- MEAN OF ITS PROVINCES' VALUES (each province weighs the same, whatever its volume; a province without a value
-- is left out), not a pooled ratio of sums: the question is whether a pilot committee does better than another
-- committee, and a pooled ratio would be the few biggest provinces' figure.
with

scope_provinces as (
    select * from scope_province_list($scope_type, $scope_id, $lang)
),

province_agencies as (
    select agency_id, province_code
    from agencies
    where province_code in (select province_code from scope_provinces)
),

-- connected_agencies: bodies with a successful exchange in the period (either side) over the province's bodies.
connected as (
    select
        province_agencies.province_code,
        count(*) filter (
            where province_agencies.agency_id in (select agency_id from connected_agency_ids($start, $end))
        ) as count_connected,
        count(*) as count_agencies,
    from province_agencies
    group by province_agencies.province_code
),

-- exchange_success_rate: rows whose provider or consumer is in the province, counted once (province_calls).
calls as (
    select province_code, count_calls, count_calls_ok from province_calls($start, $end)
),

dossiers as (
    select
        province_agencies.province_code,
        sum(period_dossiers.dossiers) as count_dossiers,
        sum(period_dossiers.dossiers_reusing) as count_dossiers_reusing,
        sum(period_dossiers.fields_total) as count_fields,
        sum(period_dossiers.fields_prefilled) as count_fields_prefilled,
    from period_dossier_weeks($start, $end) as period_dossiers
    join province_agencies on province_agencies.agency_id = period_dossiers.agency_id
    group by province_agencies.province_code
),

-- quality_index: per (province, criterion) the weighted pass rate of the latest checks of the datasets its
-- bodies own; then the mean of the criteria that have a value.
criterion_scores as (
    select
        province_agencies.province_code,
        latest_checks.criterion,
        sum(weighted_records(latest_checks.weight, latest_checks.records_passed))::double
            / nullif(sum(weighted_records(latest_checks.weight, latest_checks.records_checked))::double, 0)
            as score,
    from latest_quality_checks($end, 'all', '') as latest_checks
    join datasets on datasets.dataset_id = latest_checks.dataset_id
    join province_agencies on province_agencies.agency_id = datasets.owner_agency_id
    group by all
),

quality as (
    select
        province_code,
        sum_of_four(correct, sufficient, clean, live)
            / nullif(count_of_four(correct, sufficient, clean, live), 0) as quality_index,
    from (
        select
            province_code,
            max(score) filter (where criterion = 'correct') as correct,
            max(score) filter (where criterion = 'sufficient') as sufficient,
            max(score) filter (where criterion = 'clean') as clean,
            max(score) filter (where criterion = 'live') as live,
        from criterion_scores
        group by province_code
    )
),

-- ownership_coverage: the province's datasets not retired with an owner (theirs) and a steward.
ownership as (
    select
        province_agencies.province_code,
        count(*) filter (where datasets.steward is not null) as count_owned,
        count(*) as count_live_datasets,
    from datasets
    join province_agencies on province_agencies.agency_id = datasets.owner_agency_id
    where datasets.lifecycle_stage <> 'retired'
    group by province_agencies.province_code
),

-- schedule_performance: the province's leaf items not cancelled, exact sums as in kpis_roadmap.sql.
schedule as (
    select
        province_agencies.province_code,
        coalesce(sum(exact_decimal(items.weight * items.pct_complete)), 0)::double / 100 as earned,
        coalesce(sum(exact_decimal(items.weight * items.planned_fraction)), 0)::double as planned,
    from active_leaf_items($end, 'all', '') as items
    join province_agencies on province_agencies.agency_id = items.owner_agency_id
    group by province_agencies.province_code
),

province_rows as (
    select
        'province' as row_kind,
        scope_provinces.province_code,
        scope_provinces.province_name,
        scope_provinces.is_pilot,
        1 as count_provinces,
        connected.count_connected::double / nullif(connected.count_agencies, 0) as connected_agencies,
        calls.count_calls_ok::double / nullif(calls.count_calls, 0) as exchange_success_rate,
        dossiers.count_dossiers_reusing::double / nullif(dossiers.count_dossiers, 0) as dossier_reuse_rate,
        dossiers.count_fields_prefilled::double / nullif(dossiers.count_fields, 0) as prefill_rate,
        quality.quality_index,
        ownership.count_owned::double / nullif(ownership.count_live_datasets, 0) as ownership_coverage,
        schedule.earned / nullif(schedule.planned, 0) as schedule_performance,
    from scope_provinces
    left join connected on connected.province_code = scope_provinces.province_code
    left join calls on calls.province_code = scope_provinces.province_code
    left join dossiers on dossiers.province_code = scope_provinces.province_code
    left join quality on quality.province_code = scope_provinces.province_code
    left join ownership on ownership.province_code = scope_provinces.province_code
    left join schedule on schedule.province_code = scope_provinces.province_code
),

-- The mean of the provinces' values (exact sums: the same last digits whatever order the threads add them in).
group_rows as (
    select
        if(is_pilot, 'pilots', 'others') as row_kind,
        null as province_code,
        null as province_name,
        is_pilot,
        count(*) as count_provinces,
        sum(exact_decimal(connected_agencies))::double / count(connected_agencies) as connected_agencies,
        sum(exact_decimal(exchange_success_rate))::double / count(exchange_success_rate) as exchange_success_rate,
        sum(exact_decimal(dossier_reuse_rate))::double / count(dossier_reuse_rate) as dossier_reuse_rate,
        sum(exact_decimal(prefill_rate))::double / count(prefill_rate) as prefill_rate,
        sum(exact_decimal(quality_index))::double / count(quality_index) as quality_index,
        sum(exact_decimal(ownership_coverage))::double / count(ownership_coverage) as ownership_coverage,
        sum(exact_decimal(schedule_performance))::double / count(schedule_performance) as schedule_performance,
    from province_rows
    group by is_pilot
),

final as (
    select * from group_rows
    union all
    select * from province_rows
)

select * from final
order by list_position(['pilots', 'others', 'province'], row_kind), province_name, province_code
