select *
from dossiers_daily
where agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
