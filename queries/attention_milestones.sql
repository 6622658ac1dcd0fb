-- Milestones of the scope past their due date and not done as of the period's end, most overdue first.
with

overdue as (
    select * from overdue_items($end, $scope_type, $scope_id) where is_milestone
),

final as (
    select
        overdue.item_id,
        if($lang = 'en', overdue.title_en, overdue.title_vi) as milestone_title,
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
limit $limit
