/* ---
title: {vi: Cơ quan theo cấp, en: Bodies by level}
charts:
  - type: table
--- */
select level, count(*) as count_bodies
from agencies
group level
