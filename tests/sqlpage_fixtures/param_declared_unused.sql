/* ---
title: {vi: Cơ quan theo cấp, en: Bodies by level}
params:
  level:
    type: select
    options: [central, provincial, commune]
charts:
  - type: table
--- */
select agency_id, level
from agencies
