-- Quality rules ranked by their pass rate over the latest check per (dataset, rule) of the scope, worst first,
-- with the datasets where the rule passes less than the ready threshold.
with

rule_results as (
    select
        rule_id,
        sum(records_passed) / sum(records_checked) as pass_rate,
        count(*) as count_datasets_checked,
        count(*) filter (where records_passed < $ready_threshold * records_checked) as count_datasets_below,
        sum(records_checked - records_passed)::bigint as count_records_failed,
    from latest_quality_checks($end, $scope_type, $scope_id)
    group by rule_id
),

final as (
    select
        rule_results.rule_id,
        quality_rules.criterion,
        quality_rules.dimension,
        if($lang = 'en', quality_rules.description_en, quality_rules.description_vi) as rule_description,
        rule_results.pass_rate,
        rule_results.count_datasets_checked,
        rule_results.count_datasets_below,
        rule_results.count_records_failed,
    from rule_results
    join quality_rules on quality_rules.rule_id = rule_results.rule_id
)

select * from final
order by pass_rate, count_records_failed desc, rule_id
limit $limit
