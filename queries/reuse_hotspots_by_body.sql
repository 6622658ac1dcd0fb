-- Bodies of the scope ranked by fields declared again (fields_total - fields_prefilled) in their dossiers of the
-- period, each with the procedure where it declares the most fields again.
with

bodies as (
    select
        agency_id,
        sum(count_dossiers)::bigint as count_dossiers,
        sum(count_dossiers_reusing)::bigint as count_dossiers_reusing,
        sum(count_fields)::bigint as count_fields,
        sum(count_fields_prefilled)::bigint as count_fields_prefilled,
        max(if($lang = 'en', procedure_name_en, procedure_name_vi)) filter (
            where rank_in_body = 1
        ) as top_procedure_name,
    from dossier_hotspots($start, $end, $scope_type, $scope_id)
    group by agency_id
),

final as (
    select
        bodies.agency_id,
        if($lang = 'en', agencies.name_en, agencies.name_vi) as agency_name,
        agencies.level,
        if($lang = 'en', provinces.name_en, provinces.name_vi) as province_name,
        bodies.count_fields - bodies.count_fields_prefilled as count_fields_redeclared,
        bodies.count_fields_prefilled::double / nullif(bodies.count_fields, 0) as prefill_rate,
        bodies.count_dossiers,
        bodies.count_dossiers_reusing::double / nullif(bodies.count_dossiers, 0) as dossier_reuse_rate,
        bodies.top_procedure_name,
    from bodies
    left join agencies on agencies.agency_id = bodies.agency_id
    left join provinces on provinces.province_code = agencies.province_code
)

select * from final
order by count_fields_redeclared desc, agency_id
