-- The items counted by items_overdue (metrics.md): active leaf items of the scope past their due date and not done
-- as of the period's end, with who owns each and how many days late it is, most overdue first.
with

overdue as (
    select * from overdue_items($end, $scope_type, $scope_id) where is_leaf
),

final as (
    select
        overdue.item_id,
        if($lang = 'en', overdue.title_en, overdue.title_vi) as item_title,
        overdue.is_milestone,
        overdue.pillar,
        overdue.phase,
        if($lang = 'en', owners.name_en, owners.name_vi) as owner_name,
        overdue.planned_due,
        overdue.days_overdue,
        overdue.status,
        overdue.pct_complete / 100 as pct_complete,
    from overdue
    left join agencies as owners on owners.agency_id = overdue.owner_agency_id
)

select * from final
order by days_overdue desc, item_id
