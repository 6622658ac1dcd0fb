/* ---
title: {vi: Hai câu lệnh, en: Two statements}
charts:
  - type: table
--- */
select 1 as one;
drop view agencies
