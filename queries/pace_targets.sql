-- Pace: the targets of the scope's KPIs: its own (scope_type and scope_id equal to the scope's) and the
-- national ones (scope_type all), every date; dashboard/engine/pace.py picks the one that applies.
select
    target_id,
    kpi_id,
    scope_type,
    target_date,
    target_value,
    phase,
    basis_vi,
    basis_en,
from kpi_targets
where scope_type = 'all'
   or (scope_type = $scope_type and scope_id = $scope_id)
order by kpi_id, target_date, scope_type
