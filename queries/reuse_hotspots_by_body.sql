-- Bodies of the scope ranked by fields declared again (fields_total - fields_prefilled) in their dossiers of the
-- period, each with the procedure where it declares the most fields again.
with

scope_dossiers as (
    select *
    from period_dossier_weeks($start, $end)
    where agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
),

body_procedures as (
    select
        agency_id,
        procedure_code,
        max(if($lang = 'en', procedure_name_en, procedure_name_vi)) as procedure_name,
        sum(fields_total - fields_prefilled) as count_fields_redeclared,
    from scope_dossiers
    group by agency_id, procedure_code
),

top_procedures as (
    select agency_id, procedure_name
    from body_procedures
    qualify row_number() over (
        partition by agency_id order by count_fields_redeclared desc, procedure_code
    ) = 1
),

bodies as (
    select
        agency_id,
        sum(dossiers)::bigint as count_dossiers,
        sum(dossiers_reusing)::bigint as count_dossiers_reusing,
        sum(fields_total)::bigint as count_fields,
        sum(fields_prefilled)::bigint as count_fields_prefilled,
    from scope_dossiers
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
        top_procedures.procedure_name as top_procedure_name,
    from bodies
    left join agencies on agencies.agency_id = bodies.agency_id
    left join provinces on provinces.province_code = agencies.province_code
    left join top_procedures on top_procedures.agency_id = bodies.agency_id
)

select * from final
order by count_fields_redeclared desc, agency_id
