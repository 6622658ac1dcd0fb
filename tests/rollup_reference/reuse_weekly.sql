-- Dossier reuse rate and pre-fill rate per ISO week, dossiers of the scope's bodies in the period.
with

scope_dossiers as (
    select *
    from dossiers_daily
    where dossier_date between $start and $end
      and agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
),

weekly as (
    select
        date_trunc('week', dossier_date)::date as week_start,
        sum(dossiers)::bigint as count_dossiers,
        sum(dossiers_reusing)::bigint as count_dossiers_reusing,
        sum(fields_total)::bigint as count_fields,
        sum(fields_prefilled)::bigint as count_fields_prefilled,
    from scope_dossiers
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
