-- The same rule as exchanges_daily (provider or consumer in scope, or the scope owns the dataset), so the
-- scope's rollup rows are exactly the rollup of the scope's daily rows.
select *
from exchanges_weekly
where provider_agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
   or consumer_agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
   or dataset_id in (select dataset_id from scope_dataset_ids($scope_type, $scope_id))
