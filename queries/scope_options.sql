-- The scopes a user can pick: every province and every central body, named in the chosen language.
with

province_scopes as (
    select
        'province:' || province_code as scope_key,
        'province' as scope_type,
        if($lang = 'en', name_en, name_vi) as scope_name,
    from provinces
),

central_scopes as (
    select
        'agency:' || agency_id as scope_key,
        'agency' as scope_type,
        if($lang = 'en', name_en, name_vi) as scope_name,
    from agencies
    where level = 'central'
),

final as (
    select * from province_scopes
    union all
    select * from central_scopes
)

select * from final
order by scope_type desc, scope_name, scope_key
