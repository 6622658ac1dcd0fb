-- Procedures ranked by fields declared again (fields_total - fields_prefilled), dossiers of the scope's bodies
-- in the period, each with the body that declares the most fields again for it.
with

scope_dossiers as (
    select *
    from period_dossier_weeks($start, $end)
    where agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
),

procedure_bodies as (
    select
        procedure_code,
        agency_id,
        sum(fields_total - fields_prefilled) as count_fields_redeclared,
    from scope_dossiers
    group by procedure_code, agency_id
),

top_bodies as (
    select procedure_code, agency_id
    from procedure_bodies
    qualify row_number() over (
        partition by procedure_code order by count_fields_redeclared desc, agency_id
    ) = 1
),

procedures as (
    select
        procedure_code,
        max(if($lang = 'en', procedure_name_en, procedure_name_vi)) as procedure_name,
        sum(dossiers)::bigint as count_dossiers,
        sum(dossiers_reusing)::bigint as count_dossiers_reusing,
        sum(fields_total)::bigint as count_fields,
        sum(fields_prefilled)::bigint as count_fields_prefilled,
        count(distinct agency_id) as count_bodies,
    from scope_dossiers
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
    left join top_bodies on top_bodies.procedure_code = procedures.procedure_code
    left join agencies on agencies.agency_id = top_bodies.agency_id
)

select * from final
order by count_fields_redeclared desc, procedure_code
