-- Pace: the reuse KPIs of the dossiers with a target (metrics.md) for each of the 12 weeks of a pace series
-- ($week_ends, their Sundays), from the dossiers_weekly rollup (whole ISO weeks).
with

week_totals as (
    select
        weeks.week_end,
        sum(dossiers_weekly.dossiers) as count_dossiers,
        sum(dossiers_weekly.dossiers_reusing) as count_dossiers_reusing,
        sum(dossiers_weekly.fields_total) as count_fields,
        sum(dossiers_weekly.fields_prefilled) as count_fields_prefilled,
    from unnest($week_ends::date[]) as weeks(week_end)
    left join dossiers_weekly
        on dossiers_weekly.week_start = weeks.week_end - 6
       and dossiers_weekly.agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
    group by weeks.week_end
),

final as (
    select week_end, 'dossier_reuse_rate' as kpi_id, count_dossiers_reusing::double / nullif(count_dossiers, 0) as value
    from week_totals
    union all
    select week_end, 'prefill_rate', count_fields_prefilled::double / nullif(count_fields, 0)
    from week_totals
)

select * from final
order by kpi_id, week_end
