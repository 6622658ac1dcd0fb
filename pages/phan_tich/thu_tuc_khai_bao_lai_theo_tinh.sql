/* ---
title:
  vi: Thủ tục phải khai báo lại nhiều trường thông tin nhất, theo tỉnh
  en: Procedures with the most fields declared again, by province
menu_title: {vi: Thủ tục phải khai báo lại, en: Fields declared again}
section: {vi: Phân tích, en: Analysis}
order: 30
icon: ":material/edit_note:"
description:
  vi: >-
    Với mỗi tỉnh (và các cơ quan Trung ương), những thủ tục mà người làm hồ sơ còn phải khai báo lại nhiều
    trường thông tin nhất trong kỳ, thay vì được điền sẵn từ cơ sở dữ liệu đã có. Đây là nơi nên ưu tiên
    kết nối, chia sẻ dữ liệu.
  en: >-
    For each province (and the central bodies), the procedures whose dossiers still had the most fields
    declared again in the period instead of pre-filled from existing databases: where connecting data
    would help most.
params:
  period:
    type: date_range
    default: global
    label: {vi: Kỳ xem xét, en: Period}
  province:
    type: select
    all_option: true
    label: {vi: "Tỉnh, thành phố", en: Province}
    options_sql: >-
      select province_code, if($lang = 'en', name_en, name_vi) as province_name
      from provinces
      where province_code in (
          select province_code from agencies
          where agency_id in (select agency_id from scope_agency_ids($scope_type, $scope_id))
      )
      order by province_name
  top:
    type: number
    default: 3
    min: 1
    max: 10
    step: 1
    label: {vi: Số thủ tục mỗi tỉnh, en: Procedures per province}
columns:
  province_name: {vi: "Tỉnh, thành phố", en: Province}
  procedure_name: {vi: Thủ tục, en: Procedure}
  rank_in_province: {vi: Thứ tự trong tỉnh, en: Rank in province, format: integer}
  count_dossiers: {vi: Số hồ sơ, en: Dossiers, format: integer}
  count_fields_redeclared: {vi: Số trường phải khai báo lại, en: Fields declared again, format: integer}
  fields_redeclared_per_dossier: {vi: Khai báo lại mỗi hồ sơ, en: Again per dossier, format: decimal}
  prefill_rate: {vi: Tỷ lệ điền sẵn, en: Pre-filled, format: percent}
charts:
  - type: heatmap
    x: procedure_name
    y: province_name
    value: count_fields_redeclared
    title:
      vi: Ở đâu, thủ tục nào còn phải khai báo lại nhiều nhất?
      en: Where, and in which procedures, are most fields still declared again?
  - type: table
    columns:
      - province_name
      - rank_in_province
      - procedure_name
      - count_dossiers
      - count_fields_redeclared
      - fields_redeclared_per_dossier
      - prefill_rate
snapshot: false
tests:
  - {min_rows: 1}
  - {expect: "rank_in_province between 1 and $top"}
  - {expect: "count_fields_redeclared >= 0 and prefill_rate between 0 and 1"}
--- */
with

period_dossiers as (
    select
        dossiers_daily.*,
        agencies.province_code,
    from dossiers_daily
    join agencies on agencies.agency_id = dossiers_daily.agency_id
    where dossiers_daily.dossier_date between $period_start and $period_end
      and ($province is null or agencies.province_code = $province)
),

province_procedures as (
    select
        province_code,
        procedure_code,
        any_value(if($lang = 'en', procedure_name_en, procedure_name_vi)) as procedure_name,
        sum(dossiers) as count_dossiers,
        sum(fields_total - fields_prefilled) as count_fields_redeclared,
        sum(fields_prefilled)::double / nullif(sum(fields_total), 0) as prefill_rate,
    from period_dossiers
    group by province_code, procedure_code
),

ranked as (
    select
        *,
        row_number() over (
            partition by province_code order by count_fields_redeclared desc, procedure_code
        ) as rank_in_province,
        sum(count_fields_redeclared) over (partition by province_code) as province_fields_redeclared,
    from province_procedures
),

final as (
    select
        coalesce(
            if($lang = 'en', provinces.name_en, provinces.name_vi),
            if($lang = 'en', 'Central bodies', 'Cơ quan Trung ương')
        ) as province_name,
        ranked.rank_in_province,
        ranked.procedure_name,
        ranked.count_dossiers,
        ranked.count_fields_redeclared,
        ranked.count_fields_redeclared::double / nullif(ranked.count_dossiers, 0) as fields_redeclared_per_dossier,
        ranked.prefill_rate,
        ranked.province_fields_redeclared,
    from ranked
    left join provinces on provinces.province_code = ranked.province_code
    where ranked.rank_in_province <= $top
)

select * from final
order by province_fields_redeclared desc, province_name, rank_in_province
