select *
from roadmap_updates
where item_id in (
    select item_id
    from roadmap_items
    where owner_agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
)
