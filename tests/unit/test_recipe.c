/* Recipe parsing: sections, entries, flags, errors with file and line. */
#include "test_util.h"

#include <string.h>

static mtp_recipe *parse_ok(const char *text)
{
    mtp_recipe *r = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_recipe_parse("r.recipe", text, strlen(text), &r, &err), MTP_OK, err.message);
    return r;
}

static void expect_error(const char *text, const char *message)
{
    mtp_recipe *r = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_recipe_parse("r.recipe", text, strlen(text), &r, &err), MTP_ERR_INPUT, "");
    assert_null(r);
    assert_string_equal(err.message, message);
}

static void entries_in_file_order(void **state)
{
    (void)state;
    mtp_recipe *r = parse_ok(
        "# c\n[build]\ninput = a\ninput = b \n\n[normalize]\n; c\nform=nfkc\nno-punct =\n");
    assert_int_equal(mtp_recipe_entry_count(r), 4);
    const mtp_recipe_entry *e = mtp_recipe_entry_at(r, 1);
    assert_string_equal(e->section, "build");
    assert_string_equal(e->key, "input");
    assert_string_equal(e->value, "b");
    assert_int_equal(e->line, 4);
    e = mtp_recipe_entry_at(r, 3);
    assert_string_equal(e->section, "normalize");
    assert_string_equal(e->key, "no-punct");
    assert_string_equal(e->value, "");
    assert_int_equal(e->line, 9);
    assert_null(mtp_recipe_entry_at(r, 4));
    mtp_recipe_free(r);
}

static void text_is_kept_verbatim(void **state)
{
    (void)state;
    const char *text = "[build]\r\ninput = x\r\n";
    mtp_recipe *r = parse_ok(text);
    assert_string_equal(mtp_recipe_text(r), text);
    assert_string_equal(mtp_recipe_entry_at(r, 0)->value, "x");
    mtp_recipe_free(r);
}

static void empty_sections_are_present(void **state)
{
    (void)state;
    mtp_recipe *r = parse_ok("[build]\ninput = a\n[dedup_docs]\n\n[write]\nlevel = 3\n");
    assert_int_equal(mtp_recipe_entry_count(r), 2);
    assert_true(mtp_recipe_has_section(r, "dedup_docs"));
    assert_true(mtp_recipe_has_section(r, "write"));
    assert_false(mtp_recipe_has_section(r, "dedup"));
    mtp_recipe_free(r);
}

static void entry_before_section(void **state)
{
    (void)state;
    expect_error("input = a\n", "r.recipe:1: entry before any [section]");
}

static void unclosed_section(void **state)
{
    (void)state;
    expect_error("\n[build\n", "r.recipe:2: section header without ']'");
}

static void line_without_equals(void **state)
{
    (void)state;
    expect_error("[build]\ninput a\n", "r.recipe:2: expected 'key = value'");
}

static void invalid_key(void **state)
{
    (void)state;
    expect_error("[build]\nIn put = a\n", "r.recipe:2: invalid key 'In put'");
}

static void empty_recipe_has_no_entries(void **state)
{
    (void)state;
    mtp_recipe *r = parse_ok("");
    assert_int_equal(mtp_recipe_entry_count(r), 0);
    mtp_recipe_free(r);
}

static void missing_file(void **state)
{
    (void)state;
    mtp_recipe *r = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_recipe_load("/nonexistent.recipe", &r, &err), MTP_ERR_IO, "");
    assert_string_equal(err.message, "/nonexistent.recipe: cannot open: No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(entries_in_file_order),
        cmocka_unit_test(text_is_kept_verbatim),
        cmocka_unit_test(empty_sections_are_present),
        cmocka_unit_test(entry_before_section),
        cmocka_unit_test(unclosed_section),
        cmocka_unit_test(line_without_equals),
        cmocka_unit_test(invalid_key),
        cmocka_unit_test(empty_recipe_has_no_entries),
        cmocka_unit_test(missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
