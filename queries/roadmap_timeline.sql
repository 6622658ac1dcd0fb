-- Leaf items of the scope as of the period's end, for the timeline: planned window, latest status and progress,
-- owner, and how many days past due an unfinished item is (null when not overdue).
with

leaves as (
    select *
    from roadmap_item_status($end, $scope_type, $scope_id)
    where is_leaf
),

final as (
    select
        leaves.item_id,
        if($lang = 'en', leaves.title_en, leaves.title_vi) as item_title,
        leaves.pillar,
        leaves.phase,
        leaves.is_milestone,
        leaves.planned_start,
        leaves.planned_due,
        leaves.status,
        leaves.pct_complete / 100 as pct_complete,
        leaves.completed_on,
        if($lang = 'en', owners.name_en, owners.name_vi) as owner_name,
        case
            when leaves.status not in ('done', 'cancelled') and leaves.planned_due < $end::date
                then date_diff('day', leaves.planned_due, $end::date)
        end as days_overdue,
    from leaves
    left join agencies as owners on owners.agency_id = leaves.owner_agency_id
)

select * from final
order by pillar, phase, planned_start, planned_due, item_id
