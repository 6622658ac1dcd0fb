-- Every milestone of the scope as of the period's end: when it is due, when it was done, and whether it was met
-- on time (as milestones_on_time counts it), late, is overdue, is due on the as-of date, is still ahead or cancelled;
-- days_late: how late it was done, or how long past due it is still open.
with

milestones as (
    select *
    from roadmap_item_status($end, $scope_type, $scope_id)
    where is_milestone
),

final as (
    select
        milestones.item_id,
        if($lang = 'en', milestones.title_en, milestones.title_vi) as milestone_title,
        milestones.pillar,
        milestones.phase,
        if($lang = 'en', owners.name_en, owners.name_vi) as owner_name,
        milestones.planned_due,
        milestones.completed_on,
        milestones.status,
        case
            when milestones.status = 'cancelled' then 'cancelled'
            when milestones.status = 'done' and milestones.completed_on <= milestones.planned_due then 'on_time'
            when milestones.status = 'done' then 'late'
            when milestones.planned_due < $end::date then 'overdue'
            when milestones.planned_due = $end::date then 'due_now'
            else 'upcoming'
        end as outcome,
        case
            when milestones.status = 'done' and milestones.completed_on > milestones.planned_due
                then date_diff('day', milestones.planned_due, milestones.completed_on)
            when milestones.status not in ('done', 'cancelled') and milestones.planned_due < $end::date
                then date_diff('day', milestones.planned_due, $end::date)
        end as days_late,
    from milestones
    left join agencies as owners on owners.agency_id = milestones.owner_agency_id
)

select * from final
order by planned_due, item_id
