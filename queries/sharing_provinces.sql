-- Provinces in scope with sharing_coverage, shared_data_utilization and exchange_success_rate, each as
-- metrics.md defines it with the province as the scope (scope_agency_ids and scope_dataset_ids per province).
with

scope_provinces as (
    select
        province_code,
        if($lang = 'en', name_en, name_vi) as province_name,
    from provinces
    where province_code in (
        select province_code
        from agencies
        where agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
    )
),

-- Operating shared datasets with a consumer in the period; who consumes a dataset does not depend on the scope, so
-- one call over every dataset of the database serves every province.
datasets_in_use as (
    select dataset_id
    from operating_shared_datasets($start, $end, 'all', '')
    where count_consumers >= 1
),

province_datasets as (
    select
        scope_provinces.province_code,
        owned.dataset_id,
    from scope_provinces,
        lateral (select dataset_id from scope_dataset_ids('province', scope_provinces.province_code)) as owned
),

province_operating_datasets as (
    select
        province_datasets.province_code,
        count(*) as count_operating,
        count(*) filter (where datasets.sharing_class in ('shared', 'open') and datasets.api_enabled) as count_api,
        count(*) filter (where datasets.sharing_class in ('shared', 'open')) as count_shared,
        count(*) filter (where datasets.dataset_id in (select dataset_id from datasets_in_use)) as count_shared_in_use,
    from province_datasets
    join datasets on datasets.dataset_id = province_datasets.dataset_id
    where operating_as_of(datasets.lifecycle_stage, datasets.operating_since, $end)
    group by province_datasets.province_code
),

-- One pass over the exchange rows (province_calls) instead of one scope_exchanges call per province.
province_exchanges as (
    select
        province_code,
        count_calls::bigint as count_calls,
        count_calls_ok::bigint as count_calls_ok,
    from province_calls($start, $end)
),

final as (
    select
        scope_provinces.province_code,
        scope_provinces.province_name,
        province_operating_datasets.count_api::double
            / nullif(province_operating_datasets.count_operating, 0) as sharing_coverage,
        province_operating_datasets.count_shared_in_use::double
            / nullif(province_operating_datasets.count_shared, 0) as shared_data_utilization,
        province_exchanges.count_calls_ok::double / nullif(province_exchanges.count_calls, 0) as exchange_success_rate,
        coalesce(province_exchanges.count_calls_ok, 0) as count_calls_ok,
    from scope_provinces
    left join province_operating_datasets
        on province_operating_datasets.province_code = scope_provinces.province_code
    left join province_exchanges on province_exchanges.province_code = scope_provinces.province_code
)

select * from final
order by province_name, province_code
