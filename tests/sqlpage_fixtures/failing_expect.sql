/* ---
title: {vi: Tỷ lệ thành công theo kênh, en: Success rate by channel}
charts:
  - type: table
tests:
  - {min_rows: 1}
  - {expect: "success_rate > 1"}
--- */
select
    channel,
    sum(calls_ok)::double / nullif(sum(calls), 0) as success_rate,
from exchanges_daily
where exchange_date between $start and $end
group by channel
