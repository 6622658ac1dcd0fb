-- Every province's name (the provinces table is reference data, copied whole into every scope's database): the
-- tiles of the map outside the scope show a name and nothing else.
select
    province_code,
    if($lang = 'en', name_en, name_vi) as province_name,
from provinces
order by province_code
