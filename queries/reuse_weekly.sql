-- Dossier reuse rate and pre-fill rate per ISO week, dossiers of the scope's bodies in the period.
with

weekly as (
    select
        week_start,
        sum(dossiers)::bigint as count_dossiers,
        sum(dossiers_reusing)::bigint as count_dossiers_reusing,
        sum(fields_total)::bigint as count_fields,
        sum(fields_prefilled)::bigint as count_fields_prefilled,
    from scope_dossier_weeks($start, $end, $scope_type, $scope_id)
    group by week_start
),

final as (
    select
        week_start,
        count_dossiers,
        count_dossiers_reusing::double / nullif(count_dossiers, 0) as dossier_reuse_rate,
        count_fields,
        count_fields_prefilled::double / nullif(count_fields, 0) as prefill_rate,
    from weekly
)

select * from final
order by week_start
