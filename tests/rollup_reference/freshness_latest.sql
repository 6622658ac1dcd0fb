-- Daily-only reference of queries/freshness_latest.sql (tests/test_rollups.py): the latest exchange and dossier
-- of each body read from the daily facts alone; the rest as in the query.
with

exchange_dates as (
    select provider_agency_id as agency_id, max(exchange_date) as latest_on,
    from exchanges_daily
    where exchange_date <= $end::date
    group by all
    union all
    select consumer_agency_id, max(exchange_date),
    from exchanges_daily
    where exchange_date <= $end::date
    group by all
),

dossier_dates as (
    select agency_id, max(dossier_date) as latest_on,
    from dossiers_daily
    where dossier_date <= $end::date
    group by all
),

quality_dates as (
    select quality_checks.dataset_id, datasets.owner_agency_id as agency_id, max(check_date) as latest_on,
    from quality_checks
    join datasets on datasets.dataset_id = quality_checks.dataset_id
    where check_date <= $end::date
    group by all
),

open_items as (
    select item_id, owner_agency_id,
    from roadmap_item_status($end, $scope_type, $scope_id)
    where status not in ('done', 'cancelled')
),

roadmap_dates as (
    select open_items.owner_agency_id as agency_id, max(roadmap_updates.week_start) as latest_on,
    from roadmap_updates
    join open_items on open_items.item_id = roadmap_updates.item_id
    where roadmap_updates.week_start <= $end::date
    group by all
),

body_dates as (
    select 'exchanges_daily' as table_name, agency_id, latest_on, from exchange_dates
    union all
    select 'dossiers_daily', agency_id, latest_on, from dossier_dates
    union all
    select 'quality_checks', agency_id, latest_on, from quality_dates
    union all
    select 'roadmap_updates', agency_id, latest_on, from roadmap_dates
),

scope_dates as (
    select table_name, max(latest_on) as latest_on,
    from body_dates
    where table_name <> 'quality_checks'
      and agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
    group by all
    union all
    select 'quality_checks', max(latest_on),
    from quality_dates
    where dataset_id in (select dataset_id from scope_dataset_ids($scope_type, $scope_id))
),

units as (
    select 'scope' as unit_type, $scope_type || coalesce(':' || $scope_id, '') as unit_id, null as name_vi,
        null as name_en,
    union all
    select 'province', province_code, name_vi, name_en,
    from provinces
    where $scope_type = 'all' or ($scope_type = 'province' and province_code = $scope_id)
    union all
    select 'body', agency_id, name_vi, name_en,
    from agencies
    where ($scope_type = 'all' and level = 'central') or ($scope_type = 'agency' and agency_id = $scope_id)
),

unit_dates as (
    select 'scope' as unit_type, table_name, null as unit_id, latest_on, from scope_dates
    union all
    select 'province', body_dates.table_name, agencies.province_code, max(body_dates.latest_on),
    from body_dates
    join agencies on agencies.agency_id = body_dates.agency_id
    where agencies.province_code is not null
    group by all
    union all
    select 'body', table_name, agency_id, max(latest_on),
    from body_dates
    group by all
),

fact_tables as (
    select unnest(['exchanges_daily', 'dossiers_daily', 'quality_checks', 'roadmap_updates']) as table_name
),

final as (
    select
        fact_tables.table_name,
        units.unit_type,
        units.unit_id,
        units.name_vi,
        units.name_en,
        unit_dates.latest_on,
    from units
    cross join fact_tables
    left join unit_dates
        on unit_dates.unit_type = units.unit_type
       and unit_dates.table_name = fact_tables.table_name
       and (units.unit_type = 'scope' or unit_dates.unit_id = units.unit_id)
)

select * from final
order by table_name, unit_type desc, unit_id
