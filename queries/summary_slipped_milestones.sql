-- Milestones of the scope that slipped in the period, for the summary in words (dashboard/engine/summary.py). As of
-- $end a slipped milestone is neither done nor cancelled and either
--   * overdue now (due before $end) but not overdue on the day before $start (its due date passed in the period), or
--   * blocked now (its latest update says `blocked`) but not blocked on the day before $start.
-- Titles and owners in both languages: the summary is written in both.
with

milestones_now as (
    select *
    from roadmap_item_status($end, $scope_type, $scope_id)
    where is_milestone and status not in ('done', 'cancelled')
),

milestones_before as (
    select item_id, status, planned_due < $start::date - 1 as was_overdue,
    from roadmap_item_status($start::date - 1, $scope_type, $scope_id)
    where is_milestone
),

slipped as (
    select
        milestones_now.*,
        case
            when milestones_now.planned_due < $end::date
                and not coalesce(
                    milestones_before.was_overdue and milestones_before.status not in ('done', 'cancelled'), false
                )
                then 'overdue'
            when milestones_now.status = 'blocked' and coalesce(milestones_before.status, '') <> 'blocked'
                then 'blocked'
        end as reason,
    from milestones_now
    left join milestones_before on milestones_before.item_id = milestones_now.item_id
),

final as (
    select
        slipped.item_id,
        slipped.title_vi,
        slipped.title_en,
        owners.name_vi as owner_name_vi,
        owners.name_en as owner_name_en,
        slipped.planned_due,
        slipped.status,
        slipped.reason,
    from slipped
    left join agencies as owners on owners.agency_id = slipped.owner_agency_id
    where slipped.reason is not null
)

select * from final
order by planned_due, item_id
