/* ---
title: {vi: Cơ quan theo cấp, en: Bodies by level}
charts:
  - type: table
--- */
select agency_id, level
from agencies
where level = $level
