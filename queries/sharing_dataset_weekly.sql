-- Calls, successful calls and success rate per ISO week for one dataset of the scope ($dataset_id), in the period.
select * from weekly_calls($start, $end, $scope_type, $scope_id, $dataset_id)
order by week_start
