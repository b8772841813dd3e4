# neardup_gen.awk: builds the near-duplicate evaluation set of
# tools/neardup_eval.sh (see there). Input: the excluded doc_ids, then
# paragraph records. Output: the set's records on stdout; doc_id TAB base
# doc_id to the file `truth`, copy doc_id TAB edits applied to `edits`.
# Variables: seed, nbase, ncopy, nneg, minwords (bases have at least this
# many space-separated words; negatives any), mode (one or stacked), format
# (records or jsonl), truth, edits.

BEGIN {
    FS = OFS = "\t"
    nbp = split("Baca juga: Harga Emas Antam Hari Ini Naik Rp5.000 per Gram|" \
                "ADVERTISEMENT|SCROLL TO CONTINUE WITH CONTENT|(ant/sar)|" \
                "Editor: Agus Salim|Pewarta: Redaksi Daerah|" \
                "Simak berita dan artikel lainnya di Google News.|" \
                "Dapatkan update berita pilihan setiap hari. Mari bergabung di Grup Telegram.|" \
                "Copyright (c) 2024 Kantor Berita. All rights reserved.|" \
                "Lihat juga video: Detik-detik Banjir Rendam Permukiman Warga", bp, "|")
    bp_re = "^(Baca [Jj]uga|ADVERTISEMENT|SCROLL TO|Editor|Pewarta|Penulis|Sumber|Simak|Lihat [Jj]uga|\\()"
}

FNR == NR { excluded[$1] = 1; next }

!($1 in excluded) {
    if (!($1 in np)) {
        order[++nd] = $1
    }
    para[$1, ++np[$1]] = $3
    n = split($3, w, " ")
    nw[$1] += n
    for (i = 1; i <= n; i += 37) {
        vocab[++nv] = w[i]
    }
}

# Fisher-Yates over a[1..n].
function shuffle(a, n,    i, j, t) {
    for (i = n; i > 1; i--) {
        j = 1 + int(rand() * i)
        t = a[i]; a[i] = a[j]; a[j] = t
    }
}

# Removes element p of t[1..m]; returns the new m.
function remove_at(t, m, p,    i) {
    for (i = p; i < m; i++) {
        t[i] = t[i + 1]
    }
    delete t[m]
    return m - 1
}

# Inserts s before position p (1..m+1) of t[1..m]; returns the new m.
function insert_at(t, m, p, s,    i) {
    for (i = m; i >= p; i--) {
        t[i + 1] = t[i]
    }
    t[p] = s
    return m + 1
}

function replace_words(s, rate,    w, n, i, out) {
    n = split(s, w, " ")
    out = ""
    for (i = 1; i <= n; i++) {
        if (rand() < rate) {
            w[i] = vocab[1 + int(rand() * nv)]
        }
        out = out (i > 1 ? " " : "") w[i]
    }
    return out
}

# Boilerplate-looking paragraphs go. With none, the base gets 1-2
# boilerplate lines that the copy lacks.
function remove_boilerplate(base, t, m,    i, before, k, n) {
    before = m
    for (i = m; i >= 1; i--) {
        if (m > 1 && t[i] ~ bp_re) {
            m = remove_at(t, m, i)
        }
    }
    if (m == before) {
        for (i = 1; i <= np[base]; i++) {
            k[i] = para[base, i]
        }
        n = add_boilerplate(k, np[base])
        for (i = 1; i <= n; i++) {
            para[base, i] = k[i]
        }
        np[base] = n
    }
    return m
}

function add_boilerplate(t, m,    k) {
    for (k = 1 + int(rand() * 2); k > 0; k--) {
        m = insert_at(t, m, 1 + int(rand() * (m + 1)), bp[1 + int(rand() * nbp)])
    }
    return m
}

# stacked: each structural edit with probability 1/2. one: exactly one,
# drawn uniformly (a paragraph is dropped only from 5+ paragraphs, else the
# paragraphs are reordered). Both: 2-5 % of the words replaced.
function make_copy(base, id,    t, m, i, ed, rate, pick) {
    m = np[base]
    for (i = 1; i <= m; i++) {
        t[i] = para[base, i]
    }
    ed = ""
    pick = mode == "one" ? 1 + int(rand() * 4) : 0
    if (pick == 1 || (pick == 0 && rand() < 0.5)) {
        m = remove_boilerplate(base, t, m); ed = ed " boilerplate_removed"
    }
    if (pick == 2 || (pick == 0 && rand() < 0.5)) {
        m = add_boilerplate(t, m); ed = ed " boilerplate_added"
    }
    if ((pick == 3 && m >= 5) || (pick == 0 && m >= 4 && rand() < 0.5)) {
        m = remove_at(t, m, 2 + int(rand() * (m - 1))); ed = ed " paragraph_dropped"
    } else if (pick == 3) {
        pick = 4
    }
    if ((pick == 4 && m >= 2) || (pick == 0 && m >= 3 && rand() < 0.5)) {
        shuffle(t, m); ed = ed " reordered"
    }
    rate = 0.02 + rand() * 0.03
    for (i = 1; i <= m; i++) {
        copy_para[id, i] = replace_words(t[i], rate)
    }
    copy_np[id] = m
    printf "%s\t%s words_changed_%.1f%%\n", id, substr(ed, 2), 100 * rate > edits
}

function json_escape(s) {
    gsub(/\\/, "\\\\", s)
    gsub(/"/, "\\\"", s)
    return s
}

# One document: paragraph records, or with format=jsonl one JSON object
# whose text joins the paragraphs with blank lines (for mtprep ingest).
function emit(id,    i, n, p, text) {
    n = id in copy_np ? copy_np[id] : np[id]
    text = ""
    for (i = 1; i <= n; i++) {
        p = id in copy_np ? copy_para[id, i] : para[id, i]
        if (format == "jsonl") {
            text = text (i > 1 ? "\\n\\n" : "") json_escape(p)
        } else {
            print id, i, p
        }
    }
    if (format == "jsonl") {
        printf "{\"id\": \"%s\", \"text\": \"%s\"}\n", json_escape(id), text
    }
}

END {
    srand(seed)
    shuffle(order, nd)
    # bases: the first nbase long enough; negatives: the next nneg others
    nb = nn = 0
    for (i = 1; i <= nd; i++) {
        if (nb < nbase && nw[order[i]] >= minwords) {
            bases[++nb] = order[i]
        } else if (nn < nneg) {
            negs[++nn] = order[i]
        }
    }
    if (nb < nbase || nn < nneg) {
        print "neardup_gen: only " nb " bases of " minwords "+ words and " nn " negatives in " nd " documents" > "/dev/stderr"
        exit 1
    }
    no = 0
    for (b = 1; b <= nbase; b++) {
        base = bases[b]
        out[++no] = base
        print base, base > truth
        for (c = 1; c <= ncopy; c++) {
            id = base "~copy" c
            make_copy(base, id)
            out[++no] = id
            print id, base > truth
        }
    }
    for (i = 1; i <= nneg; i++) {
        out[++no] = negs[i]
        print negs[i], negs[i] > truth
    }
    shuffle(out, no)
    for (i = 1; i <= no; i++) {
        emit(out[i])
    }
}
