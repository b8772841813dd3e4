/* The aligned build's recipe sections into stage argv: [build] names both
 * sides' inputs, langs and output; [ingest], [normalize] and [segment] go to
 * both sides, [STAGE-LANG] to one side after the shared ones; align, filter,
 * dedup and write take their own sections; build adds the options it sets
 * itself. build_aligned.c's opening comment gives the recipe's rules.
 *
 * Memory: the argv arrays of the aligned build (bounded by the recipe).
 */
#include <string.h>

#include "build_aligned_impl.h"

static int take_build_entry(aligned *a, const mtp_recipe_entry *e)
{
    side *src = &a->sides[SIDE_SRC], *tgt = &a->sides[SIDE_TGT];
    const int is_src = strcmp(e->key, "input") == 0;
    if (is_src || strcmp(e->key, "tgt-input") == 0) {
        side *s = is_src ? src : tgt;
        if (s->input_count >= BUILD_MAX_INPUTS) {
            return cli_usage_error("build", "%s:%u: more than %d %s entries", a->cli->recipe_path,
                                   e->line, BUILD_MAX_INPUTS, e->key);
        }
        s->inputs[s->input_count++] = e->value;
    } else if (strcmp(e->key, "output") == 0) {
        a->output = e->value;
    } else if (strcmp(e->key, "lang") == 0) {
        src->lang = e->value;
    } else if (strcmp(e->key, "tgt-lang") == 0) {
        tgt->lang = e->value;
    } else {
        return cli_usage_error("build",
                               "%s:%u: unknown [build] key '%s' (input, tgt-input, lang, "
                               "tgt-lang, output)",
                               a->cli->recipe_path, e->line, e->key);
    }
    return 0;
}

int aligned_collect_build_section(aligned *a)
{
    a->sides[SIDE_SRC].lang = "id";
    a->sides[SIDE_TGT].lang = "en";
    for (size_t i = 0; i < mtp_recipe_entry_count(a->recipe); i++) {
        const mtp_recipe_entry *e = mtp_recipe_entry_at(a->recipe, i);
        const int rc = strcmp(e->section, "build") == 0 ? take_build_entry(a, e) : 0;
        if (rc != 0) {
            return rc;
        }
    }
    if (a->cli->out_override != NULL) {
        a->output = a->cli->out_override;
    }
    if (a->sides[SIDE_SRC].input_count == 0 || a->output == NULL) {
        return cli_usage_error("build", "%s: [build] needs at least one 'input' and an 'output'",
                               a->cli->recipe_path);
    }
    if (strcmp(a->sides[SIDE_SRC].lang, a->sides[SIDE_TGT].lang) == 0) {
        return cli_usage_error("build", "%s: [build] lang and tgt-lang are both '%s'",
                               a->cli->recipe_path, a->sides[SIDE_SRC].lang);
    }
    return 0;
}

/* "segment-en" -> F_SEGMENT of the side whose language is "en". Returns 0,
 * or -1 when `section` names no front stage of either side. */
static int side_section(const aligned *a, const char *section, int *stage, int *which)
{
    for (int f = 0; f < F_COUNT; f++) {
        const size_t n = strlen(build_front_names[f]);
        if (strncmp(section, build_front_names[f], n) != 0 || section[n] != '-') {
            continue;
        }
        for (int s = 0; s < SIDE_COUNT; s++) {
            if (strcmp(section + n + 1, a->sides[s].lang) == 0) {
                *stage = f;
                *which = s;
                return 0;
            }
        }
    }
    return -1;
}

static int front_index(const char *section)
{
    for (int f = 0; f < F_COUNT; f++) {
        if (strcmp(section, build_front_names[f]) == 0) {
            return f;
        }
    }
    return -1;
}

static int tail_index(const char *section)
{
    for (int t = 0; t < T_COUNT; t++) {
        if (strcmp(section, aligned_tail_names[t]) == 0) {
            return t;
        }
    }
    return -1;
}

/* Keys build sets itself, per section; a recipe setting one is refused. */
static int reserved_key(const mtp_recipe_entry *e)
{
    static const char *const reserved[][2] = {
        {"segment", "lang"}, {"align", "src-lang"}, {"align", "tgt-lang"},
        {"write", "out"},    {"write", "lang"},     {"write", "tgt-lang"},
    };
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        if (strcmp(e->section, reserved[i][0]) == 0 && strcmp(e->key, reserved[i][1]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* One entry of a shared section (pass 0) or of a [STAGE-LANG] one (pass 1). */
static int take_stage_entry(aligned *a, const mtp_recipe_entry *e, int pass)
{
    const build_cli *cli = a->cli;
    int f = 0, s = 0;
    if (side_section(a, e->section, &f, &s) == 0) {
        return pass == 1 ? build_push_option(cli, &a->sides[s].args[f], e) : 0;
    }
    if (pass == 1) {
        return 0;
    }
    if (reserved_key(e)) {
        return cli_usage_error("build", "%s:%u: [%s] %s is set by build from [build]",
                               cli->recipe_path, e->line, e->section, e->key);
    }
    if ((f = front_index(e->section)) >= 0) {
        const int rc = build_push_option(cli, &a->sides[SIDE_SRC].args[f], e);
        return rc != 0 ? rc : build_push_option(cli, &a->sides[SIDE_TGT].args[f], e);
    }
    if (strcmp(e->section, "align") == 0) {
        return build_push_option(cli, &a->align_args, e);
    }
    if (tail_index(e->section) >= 0) {
        return build_push_option(cli, &a->tail_args[tail_index(e->section)], e);
    }
    if (strcmp(e->section, BUILD_DOCS_SECTION) == 0) {
        return build_push_option(cli, &a->docs_args, e);
    }
    return cli_usage_error("build",
                           "%s:%u: unknown section [%s] (build, ingest, normalize, segment, "
                           "their -%s and -%s variants, align, filter, dedup_docs, dedup, write)",
                           cli->recipe_path, e->line, e->section, a->sides[SIDE_SRC].lang,
                           a->sides[SIDE_TGT].lang);
}

static void start_all_args(aligned *a)
{
    for (int s = 0; s < SIDE_COUNT; s++) {
        for (int f = 0; f < F_COUNT; f++) {
            build_start_args(a->cli, &a->sides[s].args[f], build_front_names[f]);
        }
        build_push_arg(&a->sides[s].args[F_SEGMENT], "--lang");
        build_push_arg(&a->sides[s].args[F_SEGMENT], a->sides[s].lang);
    }
    build_start_args(a->cli, &a->align_args, "align");
    build_push_arg(&a->align_args, "--src-lang");
    build_push_arg(&a->align_args, a->sides[SIDE_SRC].lang);
    build_push_arg(&a->align_args, "--tgt-lang");
    build_push_arg(&a->align_args, a->sides[SIDE_TGT].lang);
    for (int t = 0; t < T_COUNT; t++) {
        build_start_args(a->cli, &a->tail_args[t], aligned_tail_names[t]);
    }
    build_start_args(a->cli, &a->docs_args, "dedup");
    build_push_arg(&a->docs_args, "--docs");
}

/* Shared sections first, then the per-side ones, so that a side's own
 * options come later on its argv and win. */
int aligned_collect_stage_sections(aligned *a)
{
    a->has_docs = mtp_recipe_has_section(a->recipe, BUILD_DOCS_SECTION);
    start_all_args(a);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < mtp_recipe_entry_count(a->recipe); i++) {
            const mtp_recipe_entry *e = mtp_recipe_entry_at(a->recipe, i);
            const int rc = strcmp(e->section, "build") == 0 ? 0 : take_stage_entry(a, e, pass);
            if (rc != 0) {
                return rc;
            }
        }
    }
    return 0;
}
