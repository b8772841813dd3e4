/* Boilerplate rules: the rule file parser (one rejection per malformed
 * shape, with its message), the pattern tokens, each rule kind, and the
 * built-in rules on the shapes they were written for. */
#include "test_util.h"

#include <string.h>

#include "boilerplate.h"

/* ---- helpers ------------------------------------------------------------ */

static mtp_boilerplate *parse_ok(const char *rules)
{
    mtp_boilerplate *bp = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_boilerplate_parse(rules, strlen(rules), "t.tsv", &bp, &err), MTP_OK,
                  err.message);
    return bp;
}

static void expect_parse_error(const char *rules, const char *message)
{
    mtp_boilerplate *bp = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_boilerplate_parse(rules, strlen(rules), "t.tsv", &bp, &err), MTP_ERR_INPUT,
                  rules);
    assert_null(bp);
    assert_string_equal(err.message, message);
}

static mtp_boilerplate *builtin(void)
{
    mtp_boilerplate *bp = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_boilerplate_load(NULL, &bp, &err), MTP_OK, err.message);
    return bp;
}

/* Cleans `text`; returns the cleaned line (static) or NULL when removed, and
 * the removing rule's name in *rule (NULL when kept). */
static const char *clean(const mtp_boilerplate *bp, const char *text, unsigned flags,
                         const char **rule)
{
    static char result[1024];
    mtp_buf line = {0};
    assert_status(mtp_buf_append(&line, text, strlen(text)), MTP_OK, "append");
    mtp_bp_hits hits;
    mtp_boilerplate_clean(bp, &line, flags, &hits);
    *rule =
        hits.removed_rule >= 0 ? mtp_boilerplate_rule_name(bp, (size_t)hits.removed_rule) : NULL;
    snprintf(result, sizeof result, "%.*s", (int)line.len, line.data);
    mtp_buf_release(&line);
    return hits.removed_rule >= 0 ? NULL : result;
}

static void expect_kept(const mtp_boilerplate *bp, const char *text, unsigned flags,
                        const char *want)
{
    const char *rule = NULL;
    const char *got = clean(bp, text, flags, &rule);
    if (got == NULL) {
        fail_msg("'%s' removed by %s, expected '%s'", text, rule, want);
    }
    assert_string_equal(got, want);
}

static void expect_removed(const mtp_boilerplate *bp, const char *text, unsigned flags,
                           const char *want_rule)
{
    const char *rule = NULL;
    const char *got = clean(bp, text, flags, &rule);
    if (got != NULL) {
        fail_msg("'%s' kept as '%s', expected removal by %s", text, got, want_rule);
    }
    assert_string_equal(rule, want_rule);
}

/* ---- the rule file ------------------------------------------------------ */

static void comments_and_blank_lines_are_ignored(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("# comment\n\nlone_x\tdrop\ticase\tx\r\n");
    assert_int_equal(mtp_boilerplate_rule_count(bp), 1);
    assert_string_equal(mtp_boilerplate_rule_name(bp, 0), "lone_x");
    assert_null(mtp_boilerplate_rule_name(bp, 1));
    mtp_boilerplate_free(bp);
}

static void rejects_three_fields(void **state)
{
    (void)state;
    expect_parse_error("a\tdrop\tx\n", "t.tsv:1: expected NAME<TAB>KIND<TAB>CASE<TAB>PATTERN");
}

static void rejects_unknown_kind(void **state)
{
    (void)state;
    expect_parse_error("# c\na\tremove\ticase\tx\n",
                       "t.tsv:2: unknown kind (strip_all, drop, strip_dateline, strip_prefix, "
                       "strip_suffix)");
}

static void rejects_bad_case_field(void **state)
{
    (void)state;
    expect_parse_error("a\tdrop\tICASE\tx\n", "t.tsv:1: case must be icase or case");
}

static void rejects_bad_rule_name(void **state)
{
    (void)state;
    expect_parse_error("Bad-Name\tdrop\ticase\tx\n",
                       "t.tsv:1: rule name must be 1-39 characters of [a-z0-9_]");
}

static void rejects_duplicate_rule_name(void **state)
{
    (void)state;
    expect_parse_error("a\tdrop\ticase\tx\na\tdrop\ticase\ty\n", "t.tsv:2: duplicate rule name");
}

static void rejects_unknown_class(void **state)
{
    (void)state;
    expect_parse_error("a\tdrop\ticase\t{city} -\n", "t.tsv:1: unknown {class} in pattern");
}

static void rejects_unterminated_brace(void **state)
{
    (void)state;
    expect_parse_error("a\tdrop\ticase\t{dash\n", "t.tsv:1: unterminated { in pattern");
}

static void rejects_two_stars(void **state)
{
    (void)state;
    expect_parse_error("a\tdrop\ticase\t*x*\n", "t.tsv:1: at most one * per pattern");
}

static void rejects_trailing_backslash(void **state)
{
    (void)state;
    expect_parse_error("a\tdrop\ticase\tx\\\n", "t.tsv:1: pattern ends with a backslash");
}

static void rejects_empty_pattern(void **state)
{
    (void)state;
    expect_parse_error("a\tdrop\ticase\t\n", "t.tsv:1: empty pattern");
}

static void rejects_strip_all_starting_with_star(void **state)
{
    (void)state;
    expect_parse_error("a\tstrip_all\tcase\t*AD\n",
                       "t.tsv:1: strip_all and strip_suffix patterns must start with literal text");
}

static void rejects_more_than_64_rules(void **state)
{
    (void)state;
    char rules[65 * 24];
    size_t len = 0;
    for (int i = 0; i < 65; i++) {
        len += (size_t)snprintf(rules + len, sizeof rules - len, "r%d\tdrop\tcase\tx\n", i);
    }
    expect_parse_error(rules, "t.tsv:65: too many rules (at most 64)");
}

static void builtin_rules_load(void **state)
{
    (void)state;
    mtp_boilerplate *bp = builtin();
    assert_true(mtp_boilerplate_rule_count(bp) >= 20);
    mtp_boilerplate_free(bp);
}

static void missing_rules_file_is_io_error(void **state)
{
    (void)state;
    mtp_boilerplate *bp = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_boilerplate_load("/nonexistent/rules.tsv", &bp, &err), MTP_ERR_IO, "load");
    assert_null(bp);
    assert_non_null(strstr(err.message, "/nonexistent/rules.tsv"));
}

/* ---- tokens and kinds --------------------------------------------------- */

static void drop_matches_whole_line_ignoring_case(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("read_also\tdrop\ticase\tbaca juga*\n");
    expect_removed(bp, "Baca Juga: Satu Tersangka Ditemukan", 0, "read_also");
    expect_removed(bp, "BACA JUGA", 0, "read_also");
    expect_kept(bp, "Ia berkata baca juga buku itu.", 0, "Ia berkata baca juga buku itu.");
    mtp_boilerplate_free(bp);
}

static void literal_ending_in_letter_must_end_a_word(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("read_also\tdrop\ticase\tbaca juga*\n");
    expect_kept(bp, "Baca jugalah buku ini.", 0, "Baca jugalah buku ini.");
    mtp_boilerplate_free(bp);
}

static void space_in_pattern_matches_nbsp_runs(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("read_also\tdrop\ticase\tbaca juga:*\n");
    expect_removed(bp, "Baca\xc2\xa0 juga: x", 0, "read_also");
    mtp_boilerplate_free(bp);
}

static void strip_all_cuts_embedded_residue(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("ad\tstrip_all\tcase\tADVERTISEMENT\n");
    expect_kept(bp, "Harga naik. ADVERTISEMENT Harga turun.", 0, "Harga naik. Harga turun.");
    expect_kept(bp, "Akhir.ADVERTISEMENT", 0, "Akhir.");
    expect_removed(bp, "ADVERTISEMENT ADVERTISEMENT", 0, "ad");
    mtp_boilerplate_free(bp);
}

static void strip_all_respects_word_boundaries(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("ad\tstrip_all\tcase\tADVERTISEMENT\n");
    expect_kept(bp, "ADVERTISEMENTS dan XADVERTISEMENT", 0, "ADVERTISEMENTS dan XADVERTISEMENT");
    expect_kept(bp, "advertisement", 0, "advertisement"); /* case rule */
    mtp_boilerplate_free(bp);
}

static void strip_all_with_alternatives_and_star(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("video\tstrip_all\ticase\t{simak|tonton} juga video*[Gambas]\n");
    expect_kept(bp, "Ujar dia. Simak juga Video: Rapat[Gambas] Lalu pulang.", 0,
                "Ujar dia. Lalu pulang.");
    mtp_boilerplate_free(bp);
}

static void dateline_applies_only_to_the_lead_line(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("dl\tstrip_dateline\tcase\t{site} {dash}\n");
    expect_kept(bp, "KOMPAS.com - Hujan turun.", MTP_BP_LEAD, "Hujan turun.");
    expect_kept(bp, "KOMPAS.com - Hujan turun.", 0, "KOMPAS.com - Hujan turun.");
    mtp_boilerplate_free(bp);
}

static void strip_prefix_applies_to_any_line(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("label\tstrip_prefix\ticase\tupdate:\n");
    expect_kept(bp, "UPDATE: Banjir surut.", 0, "Banjir surut.");
    mtp_boilerplate_free(bp);
}

static void strip_suffix_cuts_end_marker(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("end\tstrip_suffix\tcase\t\\*\\*\\*\n");
    expect_kept(bp, "Korea Utara.***\xc2\xa0 ", 0, "Korea Utara.");
    expect_kept(bp, "Bintang *** di tengah.", 0, "Bintang *** di tengah.");
    expect_removed(bp, "***", 0, "end");
    mtp_boilerplate_free(bp);
}

static void optional_token_and_empty_alternative(void **state)
{
    (void)state;
    mtp_boilerplate *bp =
        parse_ok("date\tdrop\ticase\t{dash?}{ws}{day?}{,|}{ws}{digits} {month} {digits}\n");
    expect_removed(bp, "- 6 September 2022", 0, "date");
    expect_removed(bp, "Selasa, 06 Sep 2022", 0, "date");
    expect_removed(bp, "6 Agustus 1945", 0, "date");
    expect_kept(bp, "6 September 2022 adalah hari Selasa.", 0,
                "6 September 2022 adalah hari Selasa.");
    mtp_boilerplate_free(bp);
}

static void tail_refuses_sentences(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("cap\tdrop\ticase\tilustrasi{ws}{tail?}\n");
    expect_removed(bp, "Ilustrasi artileri roket China", 0, "cap");
    expect_removed(bp, "Ilustrasi", 0, "cap");
    expect_kept(bp, "Ilustrasi itu dibuat pelukis muda.", 0, "Ilustrasi itu dibuat pelukis muda.");
    expect_kept(bp, "Ilustrasinya bagus", 0, "Ilustrasinya bagus");
    mtp_boilerplate_free(bp);
}

static void name_does_not_swallow_final_full_stop(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("credit\tdrop\tcase\t* /{name}\n");
    expect_removed(bp, "Ilustrasi artileri roket China /Defence View", 0, "credit");
    expect_kept(bp, "Ganda putra menang atas Peeratchai /Teeraratsakul Pakkapon.", 0,
                "Ganda putra menang atas Peeratchai /Teeraratsakul Pakkapon.");
    mtp_boilerplate_free(bp);
}

static void glued_matches_before_a_capital_without_space(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("glued\tstrip_all\tcase\tBaca {Juga|JUGA}{glued}\n");
    expect_kept(bp, "Harga naik.Baca JugaDengan begitu warga lega.", 0,
                "Harga naik.Dengan begitu warga lega.");
    expect_kept(bp, "Ujarnya.Baca Juga\xe2\x80\x9cKami siap,\xe2\x80\x9d katanya.", 0,
                "Ujarnya.\xe2\x80\x9cKami siap,\xe2\x80\x9d katanya.");
    expect_kept(bp, "Baca Juga: Judul lain", 0, "Baca Juga: Judul lain");
    expect_kept(bp, "Baca Jugaan", 0, "Baca Jugaan");
    mtp_boilerplate_free(bp);
}

/* {headline}: a headline glued to what follows, up to the next glued capital
 * (after a word of four letters or more, an acronym, a digit or closing
 * punctuation), 10 to 150 bytes with a space; "iPhone" and "McDonald" stay
 * inside. */
static void headline_ends_at_the_next_glued_capital(void **state)
{
    (void)state;
    mtp_boilerplate *bp =
        parse_ok("picks\tstrip_all\tcase\tPilihan Redaksi{glued}{headline}{headline}{headline}\n");
    expect_kept(bp,
                "Pilihan RedaksiBus dan Truk Adu Banteng di Ngawi: 1 Tewas, Sopir KaburKawasan "
                "Wisatanya Marak Pungli, Pemprov Sudah Lakukan Apa?Bus Tabrak Motor & Mobil di "
                "Batu MalangPihak kepolisian masih melakukan evakuasi.",
                0, "Pihak kepolisian masih melakukan evakuasi.");
    expect_kept(bp,
                "Hasil laga. Pilihan RedaksiIndonesia Gagal di Piala AFF, Hokky Caraka Masuk "
                "IGDRekor 38 Tahun Mike Tyson dalam AncamanKata-kata Pelatih Venezia Usai Jay Idzes "
                "Hajar Cagliari2026Kekalahan dari Filipina membuat Indonesia ketiga.",
                0, "Hasil laga. Kekalahan dari Filipina membuat Indonesia ketiga.");
    expect_kept(bp,
                "Pilihan RedaksiHarga iPhone 16 Turun di Gerai McDonald KotaPenjualan Mobil "
                "Listrik NaikMegawati Raih Gelar TerbaikWarga antre sejak pagi.",
                0, "Warga antre sejak pagi.");
    expect_kept(bp,
                "Pilihan RedaksiPPN Naik, Ahli Beberkan 6 BahayaTransaksi Uang Elektronik Kena PPN "
                "12%Ditjen Pajak: Harga Barang Naik 0,9 Persen\"Kurang lebih 30.900 UMKM,\" "
                "katanya.",
                0, "\"Kurang lebih 30.900 UMKM,\" katanya.");
    expect_kept(bp, /* the third "headline" would hold a sentence end: article text */
                "Pilihan RedaksiPPN Naik, Ahli Beberkan 6 BahayaTransaksi Uang Elektronik "
                "NaikHingga 30 menit laga imbang. Lalu Persis.Menyerang dari sayap",
                0,
                "Pilihan RedaksiPPN Naik, Ahli Beberkan 6 BahayaTransaksi Uang Elektronik "
                "NaikHingga 30 menit laga imbang. Lalu Persis.Menyerang dari sayap");
    expect_removed(bp, "Pilihan RedaksiSatu dua tigaBerita empat lima enamBerita tujuh delapan", 0,
                   "picks");
    char long_line[400] = "Pilihan RedaksiSatu";
    for (int k = 0; k < 30; k++) {
        strcat(long_line, " dua tiga");
    }
    expect_kept(bp, long_line, 0, long_line); /* no headline end within 150 bytes */
    expect_kept(bp, "Pilihan RedaksiDua kataTiga kataEmpat kata", 0,
                "Pilihan RedaksiDua kataTiga kataEmpat kata"); /* two headlines, not three */
    mtp_boilerplate_free(bp);
}

/* {initials}: editors' initials, groups of 2-8 lower-case letters and digits
 * (the first a letter) joined by '/' ("rds", "dil/jpnn", "rhr/rhr/nva",
 * "mcr35/jpnn"); it may end after any group, so a '/' can follow it, but a
 * lone group only of up to 4 bytes. */
static void initials_match_editor_credits(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("one\tstrip_suffix\tcase\t({initials})\n"
                                   "tags\tstrip_suffix\tcase\t({initials}/{initials}){ws}{tail}\n");
    expect_kept(bp, "Rapat selesai.(ikw/sry)", 0, "Rapat selesai.");
    expect_kept(bp, "Rapat selesai. (rhr/rhr/nva)", 0, "Rapat selesai.");
    expect_kept(bp, "Rapat selesai. (rds)", 0, "Rapat selesai.");
    expect_kept(bp, "Berasal dari kata 'chuu' (tikus)", 0, "Berasal dari kata 'chuu' (tikus)");
    expect_kept(bp, "Rapat selesai. (antara/kid)", 0, "Rapat selesai.");
    expect_kept(bp, "Rapat selesai. (mcr35/jpnn)Hasil, Jadwal, dan Klasemen", 0, "Rapat selesai.");
    expect_kept(bp, "Kata Djarot. (taa/imk) ahok basuki tjahaja purnama", 0, "Kata Djarot.");
    expect_kept(bp, "Laju 80 (km/jam) di jalan tol.", 0, "Laju 80 (km/jam) di jalan tol.");
    expect_kept(bp, "Harga naik (yoy) dibanding tahun lalu", 0,
                "Harga naik (yoy) dibanding tahun lalu");
    expect_kept(bp, "Rapat selesai. (a/b)", 0, "Rapat selesai. (a/b)");
    expect_kept(bp, "Rapat selesai. (Ant/Jpnn)", 0, "Rapat selesai. (Ant/Jpnn)");
    expect_kept(bp, "Rapat selesai. (abcdefghi/jpnn)", 0, "Rapat selesai. (abcdefghi/jpnn)");
    expect_kept(bp, "Rapat selesai. (2023/jpnn)", 0, "Rapat selesai. (2023/jpnn)");
    mtp_boilerplate_free(bp);
}

static void line_is_trimmed_of_unicode_spaces(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("x\tdrop\tcase\tx\n");
    expect_kept(bp, "\xc2\xa0 Teks\xe2\x80\x83\xe3\x80\x80", 0, "Teks");
    mtp_boilerplate_free(bp);
}

static void first_drop_rule_in_file_order_wins(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("first\tdrop\ticase\teditor:*\nsecond\tdrop\ticase\t*\n");
    expect_removed(bp, "Editor: Anbari", 0, "first");
    expect_removed(bp, "apa saja", 0, "second");
    mtp_boilerplate_free(bp);
}

/* ---- fast rejection: each necessary condition on the shapes it must keep - */

static void strip_all_jumps_between_alternative_openings(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("r\tstrip_all\tcase\t{Baca|BACA} {Juga|JUGA}{glued}\n");
    expect_kept(bp, "xBaca JugaA BACA JUGADua Baca JugaTiga", 0, "xBaca JugaA Dua Tiga");
    expect_kept(bp, "BACA JUGABaca JugaDua", 0, "Dua");
    mtp_boilerplate_free(bp);
}

static void strip_all_rescans_where_a_cut_joined_text(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("r\tstrip_all\tcase\t[x]\n");
    expect_kept(bp, "a [x] [x] b [[x]x] c", 0, "a b [x] c");
    mtp_boilerplate_free(bp);
}

static void filter_piece_ignores_letters_under_icase(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("r\tdrop\ticase\t{foto|photo} oleh: *\n");
    expect_removed(bp, "FOTO OLEH: Budi", 0, "r");
    expect_removed(bp, "Photo\xc2\xa0oleh: budi", 0, "r");
    expect_kept(bp, "Foto oleh Budi", 0, "Foto oleh Budi");
    mtp_boilerplate_free(bp);
}

static void filter_piece_is_exact_under_case(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("r\tdrop\tcase\t*(ANTARA FOTO/{name})\n");
    expect_removed(bp, "Warga antre. (ANTARA FOTO/Budi Santoso)", 0, "r");
    expect_removed(bp, "(ANTARA\xc2\xa0 FOTO/AFP)", 0, "r");
    expect_kept(bp, "Warga antre. (antara foto/Budi Santoso)", 0,
                "Warga antre. (antara foto/Budi Santoso)");
    mtp_boilerplate_free(bp);
}

static void drop_rule_last_byte_follows_its_last_token(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("name\tdrop\tcase\t* /{name}\n"
                                   "place\tdrop\tcase\tdi {place}\n"
                                   "month\tdrop\ticase\ttgl {digits} {month}\n"
                                   "site\tdrop\tcase\tvia {site}\n");
    expect_removed(bp, "Teks /Budi", 0, "name");
    expect_kept(bp, "Teks /Budi.", 0, "Teks /Budi.");
    expect_kept(bp, "Teks /Budi-", 0, "Teks /Budi-");
    expect_removed(bp, "di Malang, Jawa Timur,", 0, "place");
    expect_removed(bp, "TGL 12 AGT", 0, "month");
    expect_removed(bp, "via KOMPAS.COM", 0, "site");
    expect_removed(bp, "via Bisnis,com", 0, "site");
    expect_kept(bp, "via x.co.id.", 0, "via x.co.id.");
    mtp_boilerplate_free(bp);
}

static void optional_and_empty_tokens_let_the_rest_open_a_line(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("date\tdrop\tcase\t{dash?}{ws}{digits} x\n"
                                   "empty\tdrop\tcase\t{ws}{a|}\n"
                                   "glued\tstrip_prefix\tcase\t{glued?}{ws}Oleh\n");
    expect_removed(bp, "\xe2\x80\x93 12 x", 0, "date");
    expect_removed(bp, "12 x", 0, "date");
    expect_removed(bp, "a", 0, "empty");
    expect_kept(bp, "b", 0, "b");
    expect_kept(bp, "Oleh Budi", 0, "Budi");
    mtp_boilerplate_free(bp);
}

static void strip_suffix_takes_the_leftmost_alternative(void **state)
{
    (void)state;
    mtp_boilerplate *bp = parse_ok("s\tstrip_suffix\tcase\t{Pewarta|Editor}:*\n");
    expect_kept(bp, "Teks. Editor: A Pewarta: B", 0, "Teks.");
    expect_kept(bp, "Teks.Pewarta: B", 0, "Teks.");
    expect_kept(bp, "Teks xEditor: B", 0, "Teks xEditor: B");
    mtp_boilerplate_free(bp);
}

/* ---- the built-in rules ------------------------------------------------- */

static void builtin_strips_datelines(void **state)
{
    (void)state;
    mtp_boilerplate *bp = builtin();
    const unsigned lead = MTP_BP_LEAD;
    expect_kept(bp, "JAKARTA, KOMPAS.com - Hujan turun.", lead, "Hujan turun.");
    expect_kept(bp, "Jakarta, CNN Indonesia -- Hujan turun.", lead, "Hujan turun.");
    expect_kept(bp, "Jakarta (ANTARA) - Hujan turun.", lead, "Hujan turun.");
    expect_kept(bp, "Buriram, Thailand (ANTARA) - Hujan turun.", lead, "Hujan turun.");
    expect_kept(bp, "BERITASOLORAYA.com -\xc2\xa0 Hujan turun.", lead, "Hujan turun.");
    expect_kept(bp, "Bisnis.com, JAKARTA \xe2\x80\x94 Hujan turun.", lead, "Hujan turun.");
    expect_kept(bp, "jpnn.com - JAKARTA - Hujan turun.", lead, "Hujan turun.");
    expect_kept(bp, "jpnn.com, JAKARTA PUSAT - Hujan turun.", lead, "Hujan turun.");
    expect_kept(bp, "Medan - Hujan turun.", lead, "Hujan turun.");
    mtp_boilerplate_free(bp);
}

static void builtin_keeps_sentences_that_look_like_datelines(void **state)
{
    (void)state;
    mtp_boilerplate *bp = builtin();
    const unsigned lead = MTP_BP_LEAD;
    expect_kept(bp, "Prabowo Subianto - Sandiaga Uno bertemu.", lead,
                "Prabowo Subianto - Sandiaga Uno bertemu.");
    expect_kept(bp, "Skor akhir 2 - 1 untuk tuan rumah.", lead,
                "Skor akhir 2 - 1 untuk tuan rumah.");
    expect_kept(bp, "Jakarta - Hujan turun.", 0, "Jakarta - Hujan turun.");
    mtp_boilerplate_free(bp);
}

static void builtin_drops_links_credits_and_navigation(void **state)
{
    (void)state;
    mtp_boilerplate *bp = builtin();
    expect_removed(bp, "Baca Juga: Satu Tersangka Ditemukan Tewas", 0, "read_also");
    expect_removed(bp, "Baca juga", 0, "read_also");
    expect_removed(bp, "Editor: Anbari Ghaliya", 0, "credit_line");
    expect_removed(bp, "Sumber: AP News", 0, "credit_line");
    expect_removed(bp, "Penulis : Rina", 0, "credit_line");
    expect_removed(bp, "Reporter: Budi", 0, "credit_line");
    expect_removed(bp, "Tags", 0, "nav_list");
    expect_removed(bp, "Terpopuler", 0, "nav_list");
    expect_removed(bp, "Artikel Pilihan", 0, "nav_list");
    expect_removed(bp, "Kabar Daerah", 0, "nav_list");
    expect_removed(bp, "x", 0, "close_button");
    expect_removed(bp, "Tag: Pemilu, Pilpres", 0, "tag_list");
    expect_removed(bp, "SCROLL TO CONTINUE WITH CONTENT", 0, "scroll_to_continue");
    expect_removed(bp, "ADVERTISEMENT", 0, "advertisement");
    mtp_boilerplate_free(bp);
}

static void builtin_drops_captions_and_date_lines(void **state)
{
    (void)state;
    mtp_boilerplate *bp = builtin();
    expect_removed(bp, "- 6 September 2022, 16:31 WIB", 0, "date_line");
    expect_removed(bp, "Selasa, 06 Sep 2022 10.30 WITA", 0, "date_line");
    expect_removed(bp, "Ilustrasi artileri roket China", 0, "caption_illustration");
    expect_removed(bp, "Foto: Dok. Humas", 0, "caption_photo");
    expect_removed(bp, "(Foto: dok. Cetaphil)", 0, "caption_photo");
    expect_removed(bp, "Warga antre bantuan (ANTARA FOTO/Galih Pradipta)", 0,
                   "caption_antara_foto");
    mtp_boilerplate_free(bp);
}

static void builtin_keeps_article_sentences(void **state)
{
    (void)state;
    mtp_boilerplate *bp = builtin();
    const char *sentences[] = {
        "Topik ini dibahas dalam rapat.",
        "Editor senior itu menolak berkomentar.",
        "Sumber dana berasal dari APBN.",
        "Terkait hal ini, Menteri Dalam Negeri angkat bicara.",
        "Foto bersama dilakukan usai acara.",
        "Baca buku itu sampai habis.",
        "Harga naik Rp 1.000,50 per liter pada pukul 10.30 WIB.",
        "X adalah nama platform yang dulu bernama Twitter.",
    };
    for (size_t i = 0; i < sizeof sentences / sizeof sentences[0]; i++) {
        expect_kept(bp, sentences[i], MTP_BP_LEAD, sentences[i]);
    }
    mtp_boilerplate_free(bp);
}

static void builtin_cuts_embedded_residue_and_credits(void **state)
{
    (void)state;
    mtp_boilerplate *bp = builtin();
    expect_kept(bp, "Rapat selesai. ADVERTISEMENT SCROLL TO CONTINUE WITH CONTENT Warga pulang.", 0,
                "Rapat selesai. Warga pulang.");
    expect_kept(bp,
                "Pemilu digelar 2024.Pewarta: Rio FeisalEditor: D.Dj. Kliwantoro    COPYRIGHT "
                "\xc2\xa9 ANTARA 2023",
                0, "Pemilu digelar 2024.");
    expect_kept(bp, "Dia pulang. Simak juga Video: Rapat [Gambas:Video 20detik] Besoknya hujan.", 0,
                "Dia pulang. Besoknya hujan.");
    mtp_boilerplate_free(bp);
}

/* CNN Indonesia's three glued "Pilihan Redaksi" headlines go, the article
 * text glued after them stays; JPNN's closing video teasers are cut, and the
 * editors' initials that close an article, with the tags after them. */
static void builtin_cuts_editor_picks(void **state)
{
    (void)state;
    mtp_boilerplate *bp = builtin();
    expect_kept(bp,
                "Pilihan RedaksiBus dan Truk Adu Banteng di Ngawi: 1 Tewas, Sopir KaburKawasan "
                "Wisatanya Marak Pungli, Pemprov Sudah Lakukan Apa?Bus Tabrak Motor & Mobil di "
                "Batu MalangPihak kepolisian masih melakukan evakuasi.",
                0, "Pihak kepolisian masih melakukan evakuasi.");
    expect_kept(bp,
                "\"Kami siap,\" tandasnya. (dil/jpnn)Jangan Sampai Ketinggalan Video Pilihan "
                "Redaksi ini:",
                0, "\"Kami siap,\" tandasnya.");
    expect_kept(bp, "Warga pulang. (jpnn)Simak! Video Pilihan Redaksi:", 0, "Warga pulang.");
    expect_kept(bp,
                "Pilihan Redaksi5 Pemain Timnas yang Berpotensi BersinarAlasan Pj Gubernur Naikan "
                "Harga LPG 3 KgLPG 3 Kg Langka di Jakarta, Pertamina Buka SuaraTimnas Indonesia "
                "pun berusaha keluar dari tekanan.",
                0, "Timnas Indonesia pun berusaha keluar dari tekanan.");
    expect_kept(bp, "Pilihan Redaksi ini: Harga Naik", 0, "Pilihan Redaksi ini: Harga Naik");
    expect_kept(bp, /* an opening quote inside a headline ends none */
                "Pilihan RedaksiXuan Son Tajam, PSSI Ogah Naturalisasi Pemain seperti "
                "VietnamThailand Pamer Calon Naturalisasi, Diklaim Lebih 'Bagus' dari Xuan "
                "Son\"Saat ini tim kami siap,\" katanya.",
                0, "\"Saat ini tim kami siap,\" katanya.");
    expect_kept(bp, /* two headlines; the quoted sentence after them is no third */
                "Pilihan RedaksiTak Habiskan Makanan, Murid Bawa Pulang Paket MBGKabupaten TTS Tak "
                "Jalankan MBG karena Belum Terima Juknis\"Jamnya saja yang belum tepat,\" "
                "ujarnya.\"Kami terus evaluasi.\"",
                0, "\"Jamnya saja yang belum tepat,\" ujarnya.\"Kami terus evaluasi.\"");
    expect_removed(bp, "Simak! Video Pilihan Redaksi:", 0, "video_teaser");
    expect_kept(bp, "Padahal Kaesang baru tiga hari resmi menjadi kader PSI. (dil/jpnn)Yuk, Simak "
                "Juga Video ini!",
                0, "Padahal Kaesang baru tiga hari resmi menjadi kader PSI.");
    expect_kept(bp, "Djarot tiba. (taa/imk) ahok basuki tjahaja purnama anies baswedan", 0,
                "Djarot tiba.");
    expect_kept(bp, "Laju 80 (km/jam) di jalan tol.", 0, "Laju 80 (km/jam) di jalan tol.");
    expect_kept(bp, "Pilihan redaksi kami jatuh pada film itu.", 0,
                "Pilihan redaksi kami jatuh pada film itu.");
    mtp_boilerplate_free(bp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(comments_and_blank_lines_are_ignored),
        cmocka_unit_test(rejects_three_fields),
        cmocka_unit_test(rejects_unknown_kind),
        cmocka_unit_test(rejects_bad_case_field),
        cmocka_unit_test(rejects_bad_rule_name),
        cmocka_unit_test(rejects_duplicate_rule_name),
        cmocka_unit_test(rejects_unknown_class),
        cmocka_unit_test(rejects_unterminated_brace),
        cmocka_unit_test(rejects_two_stars),
        cmocka_unit_test(rejects_trailing_backslash),
        cmocka_unit_test(rejects_empty_pattern),
        cmocka_unit_test(rejects_strip_all_starting_with_star),
        cmocka_unit_test(rejects_more_than_64_rules),
        cmocka_unit_test(builtin_rules_load),
        cmocka_unit_test(missing_rules_file_is_io_error),
        cmocka_unit_test(drop_matches_whole_line_ignoring_case),
        cmocka_unit_test(literal_ending_in_letter_must_end_a_word),
        cmocka_unit_test(space_in_pattern_matches_nbsp_runs),
        cmocka_unit_test(strip_all_cuts_embedded_residue),
        cmocka_unit_test(strip_all_respects_word_boundaries),
        cmocka_unit_test(strip_all_with_alternatives_and_star),
        cmocka_unit_test(dateline_applies_only_to_the_lead_line),
        cmocka_unit_test(strip_prefix_applies_to_any_line),
        cmocka_unit_test(strip_suffix_cuts_end_marker),
        cmocka_unit_test(optional_token_and_empty_alternative),
        cmocka_unit_test(tail_refuses_sentences),
        cmocka_unit_test(name_does_not_swallow_final_full_stop),
        cmocka_unit_test(glued_matches_before_a_capital_without_space),
        cmocka_unit_test(headline_ends_at_the_next_glued_capital),
        cmocka_unit_test(initials_match_editor_credits),
        cmocka_unit_test(line_is_trimmed_of_unicode_spaces),
        cmocka_unit_test(first_drop_rule_in_file_order_wins),
        cmocka_unit_test(strip_all_jumps_between_alternative_openings),
        cmocka_unit_test(strip_all_rescans_where_a_cut_joined_text),
        cmocka_unit_test(filter_piece_ignores_letters_under_icase),
        cmocka_unit_test(filter_piece_is_exact_under_case),
        cmocka_unit_test(drop_rule_last_byte_follows_its_last_token),
        cmocka_unit_test(optional_and_empty_tokens_let_the_rest_open_a_line),
        cmocka_unit_test(strip_suffix_takes_the_leftmost_alternative),
        cmocka_unit_test(builtin_strips_datelines),
        cmocka_unit_test(builtin_keeps_sentences_that_look_like_datelines),
        cmocka_unit_test(builtin_drops_links_credits_and_navigation),
        cmocka_unit_test(builtin_drops_captions_and_date_lines),
        cmocka_unit_test(builtin_keeps_article_sentences),
        cmocka_unit_test(builtin_cuts_embedded_residue_and_credits),
        cmocka_unit_test(builtin_cuts_editor_picks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
