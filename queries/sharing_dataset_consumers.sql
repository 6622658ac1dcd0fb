-- Who used one dataset of the scope ($dataset_id) in the period, other than its owner: calls, success, records.
with

scope_dataset as (
    select * from scope_datasets($scope_type, $scope_id) where dataset_id = $dataset_id
),

consumer_exchanges as (
    select
        period_exchanges.consumer_agency_id as agency_id,
        sum(period_exchanges.calls)::bigint as count_calls,
        sum(period_exchanges.calls_ok)::bigint as count_calls_ok,
        sum(period_exchanges.records)::bigint as count_records,
        max(period_exchanges.last_exchange_date) as last_exchange_on,
    from period_exchange_weeks($start, $end) as period_exchanges
    join scope_dataset on scope_dataset.dataset_id = period_exchanges.dataset_id
    where period_exchanges.consumer_agency_id is distinct from scope_dataset.owner_agency_id
    group by period_exchanges.consumer_agency_id
),

final as (
    select
        consumer_exchanges.agency_id,
        if($lang = 'en', agencies.name_en, agencies.name_vi) as agency_name,
        agencies.level,
        consumer_exchanges.count_calls_ok,
        consumer_exchanges.count_calls_ok::double / nullif(consumer_exchanges.count_calls, 0) as success_rate,
        consumer_exchanges.count_records,
        consumer_exchanges.last_exchange_on,
    from consumer_exchanges
    left join agencies on agencies.agency_id = consumer_exchanges.agency_id
)

select * from final
order by count_calls_ok desc, agency_id
