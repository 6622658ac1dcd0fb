-- Successful calls per dataset in the period: the workbench's starting query.
select
    datasets.dataset_id,
    if($lang = 'en', datasets.name_en, datasets.name_vi) as dataset_name,
    sum(exchanges_daily.calls_ok) as count_calls_ok,
    sum(exchanges_daily.calls_ok)::double / nullif(sum(exchanges_daily.calls), 0) as success_rate,
from exchanges_daily
join datasets on datasets.dataset_id = exchanges_daily.dataset_id
where exchanges_daily.exchange_date between $start and $end
group by all
order by count_calls_ok desc, dataset_id
