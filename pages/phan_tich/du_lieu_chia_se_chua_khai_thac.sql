/* ---
title:
  vi: Cơ sở dữ liệu đã chia sẻ nhưng chưa được khai thác
  en: Datasets shared but not used
menu_title: {vi: CSDL chia sẻ chưa khai thác, en: Shared but unused datasets}
section: {vi: Phân tích, en: Analysis}
order: 20
icon: ":material/link_off:"
description:
  vi: >-
    Cơ sở dữ liệu đang vận hành, được chia sẻ dùng chung hoặc mở, nhưng trong kỳ không có cơ quan nào
    (ngoài cơ quan chủ quản) khai thác thành công lần nào. Cột «Lần khai thác gần nhất» cho biết dữ liệu
    đã lâu không được dùng hay chưa từng được dùng.
  en: >-
    Operating datasets shared inside the system or open to the public that no body other than their owner
    used successfully in the period. "Last used" tells a dataset left idle from one never used at all.
params:
  period:
    type: date_range
    default: global
    label: {vi: Kỳ xem xét, en: Period}
  sharing_class:
    type: multiselect
    label: {vi: Hình thức chia sẻ, en: Shared as}
    options: [shared, open]
    labels:
      shared: {vi: Dùng chung trong hệ thống, en: Shared inside the system}
      open: {vi: Dữ liệu mở, en: Open data}
columns:
  dataset_name: {vi: Cơ sở dữ liệu, en: Dataset}
  owner_name: {vi: Cơ quan chủ quản, en: Owner}
  sharing_label: {vi: Hình thức chia sẻ, en: Shared as}
  has_api: {vi: Có kết nối API, en: API connection}
  last_used_on: {vi: Lần khai thác gần nhất, en: Last used, format: date}
  days_since_last_use: {vi: Số ngày chưa được khai thác, en: Days without use, format: integer}
charts:
  - type: kpi
    value: dataset_id
    agg: count
    title: {vi: Số CSDL chưa được khai thác trong kỳ, en: Datasets not used in the period}
  - type: kpi
    value: is_api_enabled
    agg: sum
    format: integer
    title: {vi: Trong đó đã có kết nối API, en: Of which reachable through an API}
  - type: table
    columns: [dataset_name, owner_name, sharing_label, has_api, last_used_on, days_since_last_use]
snapshot: true
tests:
  - {min_rows: 1}
  - {expect: "last_used_on is null or last_used_on < $period_start"}
  - {expect: "sharing_label is not null and dataset_name is not null"}
--- */
with

shared_datasets as (
    select *
    from datasets
    where operating_as_of(lifecycle_stage, operating_since, $period_end)
      and sharing_class in ('shared', 'open')
      and list_contains($sharing_class, sharing_class)
      and dataset_id in (select dataset_id from scope_dataset_ids($scope_type, $scope_id))
),

uses as (
    select exchanges_daily.dataset_id, exchanges_daily.exchange_date
    from exchanges_daily
    join shared_datasets on shared_datasets.dataset_id = exchanges_daily.dataset_id
    where exchanges_daily.calls_ok > 0
      and exchanges_daily.consumer_agency_id is distinct from shared_datasets.owner_agency_id
      and exchanges_daily.exchange_date <= $period_end
),

last_uses as (
    select dataset_id, max(exchange_date) as last_used_on
    from uses
    group by dataset_id
),

final as (
    select
        shared_datasets.dataset_id,
        if($lang = 'en', shared_datasets.name_en, shared_datasets.name_vi) as dataset_name,
        coalesce(
            if($lang = 'en', owners.name_en, owners.name_vi), if($lang = 'en', '(no owner)', '(chưa có chủ quản)')
        ) as owner_name,
        case shared_datasets.sharing_class
            when 'open' then if($lang = 'en', 'Open data', 'Dữ liệu mở')
            else if($lang = 'en', 'Shared inside the system', 'Dùng chung trong hệ thống')
        end as sharing_label,
        shared_datasets.api_enabled as is_api_enabled,
        if(shared_datasets.api_enabled, if($lang = 'en', 'yes', 'có'), if($lang = 'en', 'no', 'chưa')) as has_api,
        last_uses.last_used_on,
        date_diff('day', last_uses.last_used_on, $period_end::date) as days_since_last_use,
    from shared_datasets
    left join agencies as owners on owners.agency_id = shared_datasets.owner_agency_id
    left join last_uses on last_uses.dataset_id = shared_datasets.dataset_id
    where last_uses.last_used_on is null or last_uses.last_used_on < $period_start
)

select * from final
order by last_used_on nulls first, dataset_name
