select *
from quality_checks
where dataset_id in (select dataset_id from scope_dataset_ids($scope_type, $scope_id))
