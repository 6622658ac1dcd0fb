-- Successful calls and success rate per ISO week, exchanges in scope, weeks overlapping the trend window
-- (whole weeks from the exchanges_weekly rollup, the partial edge weeks from exchanges_daily).
select * from weekly_calls($trend_start, $end, $scope_type, $scope_id, null)
order by week_start
