-- Rows of each contract table in the current scope's database, for the workbench's schema browser.
with

counts as (
    select 'provinces' as table_name, count(*) as count_rows from provinces
    union all select 'agencies', count(*) from agencies
    union all select 'datasets', count(*) from datasets
    union all select 'dictionary_terms', count(*) from dictionary_terms
    union all select 'data_elements', count(*) from data_elements
    union all select 'quality_rules', count(*) from quality_rules
    union all select 'roadmap_items', count(*) from roadmap_items
    union all select 'exchanges_daily', count(*) from exchanges_daily
    union all select 'dossiers_daily', count(*) from dossiers_daily
    union all select 'quality_checks', count(*) from quality_checks
    union all select 'roadmap_updates', count(*) from roadmap_updates
),

final as (
    select * from counts
)

select * from final
