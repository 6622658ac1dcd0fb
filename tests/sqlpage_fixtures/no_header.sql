-- A page without its YAML header.
select agency_id, level
from agencies
