-- dossiers_weekly: dossiers_daily summed per ISO week (week_start = the Monday), agency and procedure
-- (the procedure's names are part of the natural key, so they stay in the grain).
with

daily as (
    select * from dossiers_daily
),

weekly as (
    select
        date_trunc('week', dossier_date)::date as week_start,
        agency_id,
        procedure_code,
        procedure_name_vi,
        procedure_name_en,
        sum(dossiers)::bigint as dossiers,
        sum(dossiers_reusing)::bigint as dossiers_reusing,
        sum(fields_total)::bigint as fields_total,
        sum(fields_prefilled)::bigint as fields_prefilled,
    from daily
    group by all
),

final as (
    select * from weekly
)

select * from final
order by week_start, agency_id, procedure_code, procedure_name_vi, procedure_name_en
