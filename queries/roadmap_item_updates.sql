-- The weekly updates of one roadmap item of the scope up to the period's end, latest first, with their notes.
with

scope_item as (
    select item_id
    from roadmap_item_status($end, $scope_type, $scope_id)
    where item_id = $item_id
),

final as (
    select
        roadmap_updates.week_start,
        roadmap_updates.pct_complete / 100 as pct_complete,
        roadmap_updates.status,
        roadmap_updates.completed_on,
        roadmap_updates.note_vi,
    from roadmap_updates
    where roadmap_updates.item_id in (select item_id from scope_item)
      and roadmap_updates.week_start <= $end::date
)

select * from final
order by week_start desc
limit $limit
