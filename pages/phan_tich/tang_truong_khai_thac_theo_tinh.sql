/* ---
title:
  vi: Tỉnh xếp hạng theo mức tăng khai thác dữ liệu so với cùng kỳ năm trước
  en: Provinces ranked by year-on-year change in data use
menu_title: {vi: Khai thác dữ liệu so cùng kỳ, en: Data use year on year}
section: {vi: Phân tích, en: Analysis}
order: 10
icon: ":material/trending_up:"
description:
  vi: >-
    Số lượt khai thác dữ liệu thành công của các cơ quan thuộc mỗi tỉnh (bên sử dụng dữ liệu) trong kỳ,
    so với cùng kỳ năm trước. Tỉnh tăng nhiều nhất ở trên cùng. Tỉnh có quá ít lượt khai thác cùng kỳ năm
    trước (dưới ngưỡng «Cơ sở so sánh tối thiểu») không được xếp hạng, vì tỷ lệ thay đổi khi đó không có ý nghĩa.
  en: >-
    Successful data calls made by each province's bodies (as consumers) in the period, against the same
    period a year before. The fastest-growing province is on top. Provinces with too few calls a year before
    (under "Smallest base compared") are not ranked, since a percentage change on a tiny base means little.
params:
  period:
    type: date_range
    default: global
    label: {vi: Kỳ so sánh, en: Period compared}
  region:
    type: select
    all_option: true
    label: {vi: Vùng, en: Region}
    options:
      - Red River Delta
      - Northern Midlands and Mountains
      - North Central Coast
      - South Central Coast
      - Central Highlands
      - Southeast
      - Mekong River Delta
    labels:
      Red River Delta: {vi: Đồng bằng sông Hồng, en: Red River Delta}
      Northern Midlands and Mountains: {vi: Trung du và miền núi phía Bắc, en: Northern Midlands and Mountains}
      North Central Coast: {vi: Bắc Trung Bộ, en: North Central Coast}
      South Central Coast: {vi: Duyên hải Nam Trung Bộ, en: South Central Coast}
      Central Highlands: {vi: Tây Nguyên, en: Central Highlands}
      Southeast: {vi: Đông Nam Bộ, en: Southeast}
      Mekong River Delta: {vi: Đồng bằng sông Cửu Long, en: Mekong River Delta}
  min_base:
    type: number
    default: 1000
    min: 0
    step: 500
    label: {vi: Cơ sở so sánh tối thiểu (lượt), en: Smallest base compared (calls)}
    help:
      vi: Chỉ tính mức thay đổi cho tỉnh có ít nhất chừng này lượt khai thác thành công cùng kỳ năm trước.
      en: The change is worked out only for provinces with at least this many successful calls a year before.
columns:
  rank_change: {vi: Hạng, en: Rank, format: integer}
  province_name: {vi: "Tỉnh, thành phố", en: Province}
  count_calls_ok: {vi: Lượt khai thác thành công trong kỳ, en: Successful calls in the period, format: integer}
  count_calls_ok_year_before: {vi: Cùng kỳ năm trước, en: Same period a year before, format: integer}
  change_vs_year_before: {vi: Thay đổi so với cùng kỳ, en: Change on a year before, format: percent}
charts:
  - type: kpi
    value: count_calls_ok
    agg: sum
    title: {vi: Lượt khai thác thành công trong kỳ, en: Successful calls in the period}
  - type: kpi
    value: count_calls_ok_year_before
    agg: sum
    title: {vi: Cùng kỳ năm trước, en: Same period a year before}
  - type: bar
    x: province_name
    y: change_vs_year_before
    horizontal: true
    title:
      vi: Tỉnh nào tăng khai thác dữ liệu nhanh nhất so với cùng kỳ năm trước?
      en: Which provinces grew their data use fastest on a year before?
  - type: table
    columns: [rank_change, province_name, count_calls_ok, count_calls_ok_year_before, change_vs_year_before]
snapshot: true
tests:
  - {min_rows: 1}
  - {expect: "count_calls_ok >= 0 and count_calls_ok_year_before >= 0"}
  - {expect: "change_vs_year_before is null or change_vs_year_before >= -1"}
  - {expect: "(count_calls_ok_year_before = 0 or count_calls_ok_year_before < $min_base) = (change_vs_year_before is null)"}
--- */
with

scope_bodies as (
    select agency_id, province_code
    from agencies
    where province_code is not null
      and agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
),

shown_provinces as (
    select province_code, if($lang = 'en', name_en, name_vi) as province_name
    from provinces
    where ($region is null or region = $region)
      and province_code in (select province_code from scope_bodies)
),

province_calls as (
    select
        scope_bodies.province_code,
        sum(exchanges_daily.calls_ok) filter (
            where exchanges_daily.exchange_date between $period_start and $period_end
        ) as count_calls_ok,
        sum(exchanges_daily.calls_ok) filter (
            where exchanges_daily.exchange_date
                between ($period_start - interval 1 year)::date and ($period_end - interval 1 year)::date
        ) as count_calls_ok_year_before,
    from exchanges_daily
    join scope_bodies on scope_bodies.agency_id = exchanges_daily.consumer_agency_id
    where exchanges_daily.exchange_date between ($period_start - interval 1 year)::date and $period_end
    group by scope_bodies.province_code
),

joined as (
    select
        shown_provinces.province_code,
        shown_provinces.province_name,
        coalesce(province_calls.count_calls_ok, 0) as count_calls_ok,
        coalesce(province_calls.count_calls_ok_year_before, 0) as count_calls_ok_year_before,
    from shown_provinces
    left join province_calls on province_calls.province_code = shown_provinces.province_code
),

compared as (
    select
        *,
        if(
            count_calls_ok_year_before >= $min_base,
            (count_calls_ok - count_calls_ok_year_before)::double / nullif(count_calls_ok_year_before, 0),
            null
        ) as change_vs_year_before,
    from joined
),

final as (
    select
        if(
            change_vs_year_before is null,
            null,
            rank() over (order by change_vs_year_before desc nulls last)
        ) as rank_change,
        province_code,
        province_name,
        count_calls_ok,
        count_calls_ok_year_before,
        change_vs_year_before,
    from compared
)

select * from final
order by rank_change nulls last, count_calls_ok desc, province_name
