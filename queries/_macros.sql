-- Scope rules of metrics.md, defined once and created in every scope database.
create or replace macro scope_agency_ids(scope_type, scope_id) as table
    select agency_id
    from agencies
    where scope_type = 'all'
       or (scope_type = 'province' and province_code = scope_id)
       or (scope_type = 'agency' and agency_id = scope_id);

-- A dataset belongs to the scope of its owner; a dataset with no owner belongs only to 'all'.
create or replace macro scope_dataset_ids(scope_type, scope_id) as table
    select dataset_id
    from datasets
    where scope_type = 'all'
       or owner_agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id));
