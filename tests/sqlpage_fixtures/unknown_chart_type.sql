/* ---
title: {vi: Cơ quan theo cấp, en: Bodies by level}
charts:
  - type: table
  - type: pie
    x: level
    y: count_bodies
    title: {vi: Cơ quan theo cấp, en: Bodies by level}
--- */
select level, count(*) as count_bodies
from agencies
group by level
