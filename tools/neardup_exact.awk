# neardup_exact.awk: scores dedup --docs decisions against the exact
# Jaccard index of word k-gram shingle sets, for tools/neardup_eval.sh.
# Input files: truth (doc_id TAB base), clusters (doc_id TAB cluster),
# records. Variables: k, threshold. Run under a UTF-8 locale: words are
# lower-cased runs between [[:punct:][:space:]] (glibc classes, so symbols
# such as $ and % separate words here but not in the stage: close to, not
# exactly, the stage's tokenizer).
#
# The pairs scored are the candidates: pairs the generator made (same base)
# and pairs the stage predicted (same cluster); a pair is a near duplicate
# when its exact Jaccard >= threshold. Prints precision and recall of the
# stage against that truth, and the generator's recall for short (< 100
# words) and longer bases.

BEGIN { FS = "\t" }

FILENAME == ARGV[1] { base[$1] = $2; members[$2] = members[$2] " " $1; next }
FILENAME == ARGV[2] { cluster[$1] = $2; in_cluster[$2] = in_cluster[$2] " " $1; next }
{
    s = tolower($3)
    gsub(/[[:punct:][:space:]]+/, " ", s)
    n = split(s, w, " ")
    words[$1] += n
    if (n > 0 && n < k) {
        add($1, w, 1, n)
    }
    for (i = 1; i + k - 1 <= n; i++) {
        add($1, w, i, k)
    }
}

function add(doc, w, first, count,    j, sh) {
    sh = w[first]
    for (j = first + 1; j < first + count; j++) {
        sh = sh " " w[j]
    }
    if (!((doc, sh) in set)) {
        set[doc, sh] = 1
        size[doc]++
        list[doc] = list[doc] "\n" sh
    }
}

function jaccard(a, b,    t, n, i, inter) {
    if (size[a] > size[b]) {
        t = a; a = b; b = t
    }
    n = split(substr(list[a], 2), sh, "\n")
    inter = 0
    for (i = 1; i <= n; i++) {
        inter += (b, sh[i]) in set
    }
    return inter / (size[a] + size[b] - inter)
}

# Adds every pair of the space-separated doc_ids in `ids` to pairs[].
function add_pairs(ids,    m, d, i, j) {
    m = split(ids, d, " ")
    for (i = 1; i <= m; i++) {
        for (j = i + 1; j <= m; j++) {
            pairs[d[i] < d[j] ? d[i] SUBSEP d[j] : d[j] SUBSEP d[i]] = 1
        }
    }
}

END {
    for (g in members) add_pairs(members[g])
    for (c in in_cluster) add_pairs(in_cluster[c])
    for (p in pairs) {
        split(p, ab, SUBSEP)
        near = jaccard(ab[1], ab[2]) >= threshold
        predicted = cluster[ab[1]] == cluster[ab[2]]
        made = base[ab[1]] == base[ab[2]]
        tp += near && predicted; np_ += predicted; nn += near
        bucket = words[base[ab[1]]] < 100 ? "short" : "long"
        made_n[bucket] += made; made_hit[bucket] += made && predicted
        made_near[bucket] += made && near
    }
    printf "  against exact Jaccard >= %s of word %d-grams (%d candidate pairs, %d near duplicates): precision %.4f  recall %.4f\n", threshold, k, length(pairs), nn, np_ ? tp / np_ : 1, nn ? tp / nn : 1
    for (b in made_n) {
        printf "  generated pairs, %s bases (%s 100 words): %d, exact Jaccard >= %s: %d, found %d (recall %.4f)\n", b, b == "short" ? "<" : ">=", made_n[b], threshold, made_near[b], made_hit[b], made_n[b] ? made_hit[b] / made_n[b] : 1
    }
}
