-- The targets a scope's pace needs: the national ones (scope_type all) and the scope's own.
select *
from kpi_targets
where scope_type = 'all'
   or (scope_type = $scope_type and scope_id = $scope_id)
