-- The scope's items and their direct children, so that "is a leaf" means the same as in the full roadmap.
with

owned_items as (
    select item_id
    from roadmap_items
    where owner_agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
)

select *
from roadmap_items
where item_id in (select item_id from owned_items)
   or parent_item_id in (select item_id from owned_items)
