/* ---
title: {vi: Cơ quan theo cấp, en: Bodies by level}
params:
  level:
    type: select
    options: [central, provincial, commune]
    default: national
  period: {type: date_range, default: last_year}
charts:
  - type: table
--- */
select agency_id, level
from agencies
where level = $level
  and $period_start <= $period_end
