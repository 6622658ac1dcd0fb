-- Reuse KPIs computed from the dossiers (metrics.md): whole weeks from dossiers_weekly, edge days from dossiers_daily.
with

totals as (
    select
        coalesce(sum(dossiers), 0) as count_dossiers,
        coalesce(sum(dossiers_reusing), 0) as count_dossiers_reusing,
        coalesce(sum(fields_total), 0) as count_fields,
        coalesce(sum(fields_prefilled), 0) as count_fields_prefilled,
    from scope_dossier_weeks($start, $end, $scope_type, $scope_id)
),

final as (
    select
        'dossier_reuse_rate' as kpi_id,
        count_dossiers_reusing::double / nullif(count_dossiers, 0) as value,
        count_dossiers_reusing::double as numerator,
        count_dossiers::double as denominator,
    from totals
    union all
    select
        'prefill_rate',
        count_fields_prefilled::double / nullif(count_fields, 0),
        count_fields_prefilled::double,
        count_fields::double,
    from totals
    union all
    select 'redeclared_fields', (count_fields - count_fields_prefilled)::double, null, null
    from totals
    union all
    select 'hours_saved_estimate', count_dossiers_reusing * $minutes_per_dossier::double / 60, null, null
    from totals
)

select * from final
