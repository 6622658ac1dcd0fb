/* ---
title: {vi: Đọc tệp, en: Reads a file}
charts:
  - type: table
--- */
select *
from read_csv('/etc/passwd')
