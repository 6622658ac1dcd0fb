-- The scope's agencies, plus the bodies its rows name: exchange partners, dataset and roadmap owners.
with

scope_agencies as (
    select agency_id from scope_agency_ids($scope_type, $scope_id)
),

scope_datasets as (
    select dataset_id from scope_dataset_ids($scope_type, $scope_id)
),

scope_exchanges as (
    select provider_agency_id, consumer_agency_id, dataset_id
    from exchanges_weekly
    where provider_agency_id in (select agency_id from scope_agencies)
       or consumer_agency_id in (select agency_id from scope_agencies)
       or dataset_id in (select dataset_id from scope_datasets)
),

named_agencies as (
    select agency_id from scope_agencies
    union select provider_agency_id from scope_exchanges
    union select consumer_agency_id from scope_exchanges
    union select owner_agency_id from datasets where dataset_id in (select dataset_id from scope_exchanges)
)

select *
from agencies
where agency_id in (select agency_id from named_agencies)
