-- The same rule as dossiers_daily: the scope's bodies.
select *
from dossiers_weekly
where agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
