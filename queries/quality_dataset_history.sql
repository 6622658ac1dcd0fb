-- One dataset of the scope: every check from the trend start to the period's end, with each rule's pass rate.
with

dataset_checks as (
    select *
    from quality_checks
    where dataset_id = $dataset_id
      and check_date between $trend_start and $end
      and dataset_id in (select dataset_id from scope_dataset_ids($scope_type, $scope_id))
),

final as (
    select
        dataset_checks.check_date,
        dataset_checks.rule_id,
        quality_rules.criterion,
        if($lang = 'en', quality_rules.description_en, quality_rules.description_vi) as rule_description,
        dataset_checks.records_passed / dataset_checks.records_checked as pass_rate,
    from dataset_checks
    join quality_rules on quality_rules.rule_id = dataset_checks.rule_id
)

select * from final
order by check_date, rule_id
