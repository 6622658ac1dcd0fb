-- One dataset of the scope: each rule's latest check as of the period's end and its pass rate, worst first.
with

latest_checks as (
    select * from latest_quality_checks($end, $scope_type, $scope_id)
    where dataset_id = $dataset_id
),

final as (
    select
        latest_checks.rule_id,
        latest_checks.criterion,
        quality_rules.dimension,
        if($lang = 'en', quality_rules.description_en, quality_rules.description_vi) as rule_description,
        latest_checks.weight,
        latest_checks.check_date as checked_on,
        latest_checks.records_checked,
        latest_checks.records_checked - latest_checks.records_passed as count_records_failed,
        latest_checks.records_passed / latest_checks.records_checked as pass_rate,
    from latest_checks
    join quality_rules on quality_rules.rule_id = latest_checks.rule_id
)

select * from final
order by pass_rate, rule_id
