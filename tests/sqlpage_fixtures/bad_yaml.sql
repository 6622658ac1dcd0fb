/* ---
title: {vi: Lượt khai thác theo tỉnh, en: Data use by province}
charts:
  - {type: table
tests:
  - {min_rows: 1}
--- */
select province_code, count(*) as count_bodies
from agencies
group by province_code
