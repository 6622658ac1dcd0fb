-- Procedures ranked by fields declared again (fields_total - fields_prefilled), dossiers of the scope's bodies
-- in the period, each with the body that declares the most fields again for it.
with

procedures as (
    select
        procedure_code,
        max(if($lang = 'en', procedure_name_en, procedure_name_vi)) as procedure_name,
        sum(count_dossiers)::bigint as count_dossiers,
        sum(count_dossiers_reusing)::bigint as count_dossiers_reusing,
        sum(count_fields)::bigint as count_fields,
        sum(count_fields_prefilled)::bigint as count_fields_prefilled,
        count(distinct agency_id) as count_bodies,
        max(agency_id) filter (where rank_in_procedure = 1) as top_agency_id,
    from dossier_hotspots($start, $end, $scope_type, $scope_id)
    group by procedure_code
),

final as (
    select
        procedures.procedure_code,
        procedures.procedure_name,
        procedures.count_fields - procedures.count_fields_prefilled as count_fields_redeclared,
        procedures.count_fields_prefilled::double / nullif(procedures.count_fields, 0) as prefill_rate,
        procedures.count_dossiers,
        procedures.count_dossiers_reusing::double / nullif(procedures.count_dossiers, 0) as dossier_reuse_rate,
        procedures.count_bodies,
        if($lang = 'en', agencies.name_en, agencies.name_vi) as top_body_name,
    from procedures
    left join agencies on agencies.agency_id = procedures.top_agency_id
)

select * from final
order by count_fields_redeclared desc, procedure_code
