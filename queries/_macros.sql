-- Scope rules of metrics.md, defined once and created in every scope database.
create or replace macro scope_agency_ids(scope_type, scope_id) as table
    select agency_id
    from agencies
    where scope_type = 'all'
       or (scope_type = 'province' and province_code = scope_id)
       or (scope_type = 'agency' and agency_id = scope_id);

-- A dataset belongs to the scope of its owner; a dataset with no owner belongs only to 'all'.
create or replace macro scope_dataset_ids(scope_type, scope_id) as table
    select dataset_id
    from datasets
    where scope_type = 'all'
       or owner_agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id));

-- Exchange rows of the period whose provider or consumer is in scope, with the level of both ends.
create or replace macro scope_exchanges(period_start, period_end, scope_type, scope_id) as table
    select
        exchanges_daily.*,
        provider.level as provider_level,
        consumer.level as consumer_level,
    from exchanges_daily
    left join agencies as provider on provider.agency_id = exchanges_daily.provider_agency_id
    left join agencies as consumer on consumer.agency_id = exchanges_daily.consumer_agency_id
    where exchanges_daily.exchange_date between period_start and period_end
      and (
          exchanges_daily.provider_agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id))
          or exchanges_daily.consumer_agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id))
      );

-- For each (dataset, rule) of the scope, its latest check on or before as_of.
create or replace macro latest_quality_checks(as_of, scope_type, scope_id) as table
    select
        quality_checks.check_date,
        quality_checks.dataset_id,
        quality_checks.rule_id,
        quality_rules.criterion,
        quality_rules.weight,
        quality_checks.records_checked,
        quality_checks.records_passed,
    from quality_checks
    join quality_rules on quality_rules.rule_id = quality_checks.rule_id
    where quality_checks.check_date <= as_of
      and quality_checks.dataset_id in (select dataset_id from scope_dataset_ids(scope_type, scope_id))
    qualify row_number() over (
        partition by quality_checks.dataset_id, quality_checks.rule_id
        order by quality_checks.check_date desc
    ) = 1;

-- Each roadmap item of the scope as of as_of: latest update (none: 0 %, not_started), leaf or not,
-- and the fraction of its planned window elapsed (clamped to 0..1, 1 once due).
create or replace macro roadmap_item_status(as_of, scope_type, scope_id) as table
    with latest_updates as (
        select item_id, pct_complete, status, completed_on
        from roadmap_updates
        where week_start <= as_of
        qualify row_number() over (partition by item_id order by week_start desc) = 1
    )
    select
        roadmap_items.*,
        coalesce(latest_updates.pct_complete, 0) as pct_complete,
        coalesce(latest_updates.status, 'not_started') as status,
        latest_updates.completed_on,
        roadmap_items.item_id not in (
            select parent_item_id from roadmap_items where parent_item_id is not null
        ) as is_leaf,
        case
            when as_of >= roadmap_items.planned_due then 1.0
            when as_of <= roadmap_items.planned_start then 0.0
            else date_diff('day', roadmap_items.planned_start, as_of::date)::double
                / date_diff('day', roadmap_items.planned_start, roadmap_items.planned_due)
        end as planned_fraction,
    from roadmap_items
    left join latest_updates on latest_updates.item_id = roadmap_items.item_id
    where roadmap_items.owner_agency_id in (select agency_id from scope_agency_ids(scope_type, scope_id));
