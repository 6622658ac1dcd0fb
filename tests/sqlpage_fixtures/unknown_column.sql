/* ---
title: {vi: Cơ quan theo cấp, en: Bodies by level}
charts:
  - type: bar
    x: level
    y: count_agencies
    title: {vi: Cơ quan theo cấp, en: Bodies by level}
--- */
select level, count(*) as count_bodies
from agencies
group by level
