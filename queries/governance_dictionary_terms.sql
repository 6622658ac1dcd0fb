-- The shared data dictionary, searched without regard to case or Vietnamese accents ("dang vien" finds
-- "đảng viên"): every word of $search must appear in a term's code, names, definitions or code table.
-- Each term comes with the datasets of the scope (not retired) that have a field mapped to it.
-- strip_accents leaves đ alone, so đ becomes d by hand.
with

terms as (
    select
        *,
        replace(
            strip_accents(lower(concat_ws(' ', term_id, name_vi, name_en, definition_vi, definition_en, code_table))),
            'đ',
            'd'
        ) as haystack,
    from dictionary_terms
),

search_words as (
    select list_filter(string_split(replace(strip_accents(lower($search)), 'đ', 'd'), ' '), lambda w: w <> '') as words
),

found as (
    select terms.*
    from terms, search_words
    where list_bool_and(list_transform(search_words.words, lambda w: contains(terms.haystack, w))) is not false
),

named_datasets as (
    select dataset_id, if($lang = 'en', name_en, name_vi) as dataset_name
    from live_datasets($scope_type, $scope_id)
),

users as (
    select
        data_elements.term_id,
        count(distinct named_datasets.dataset_id) as count_datasets,
        string_agg(distinct named_datasets.dataset_name, '; ' order by named_datasets.dataset_name) as dataset_names,
    from data_elements
    join named_datasets on named_datasets.dataset_id = data_elements.dataset_id
    where data_elements.term_id is not null
    group by data_elements.term_id
),

final as (
    select
        found.term_id,
        if($lang = 'en', found.name_en, found.name_vi) as term_name,
        if($lang = 'en', found.definition_en, found.definition_vi) as definition,
        found.data_type,
        found.code_table,
        coalesce(users.count_datasets, 0) as count_datasets,
        users.dataset_names,
    from found
    left join users on users.term_id = found.term_id
)

select * from final
order by replace(strip_accents(lower(term_name)), 'đ', 'd'), term_name, term_id
