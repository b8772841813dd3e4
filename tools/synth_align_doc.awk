# Writes one synthetic document pair as unit records, for align's long-document
# test and benchmark. Input: the id-en word list (corpora/dict.id-en.tsv).
# Each sentence joins 6 to 25 random entries (the Indonesian word on the source
# side, its first English gloss on the target side) and a number. Of every 100
# sentences about 5 keep only their source, 5 only their target, and `merge`
# x 100 have two sentences that are one on the source side and two on the
# target side; the rest are 1-1 pairs.
#
# Variables: n (source sentences), seed, doc (doc_id), src and tgt (output
# files), merge (share of merges, default 0), cap (1: capitalise the first
# letter), gold (optional file: "1.S=1.T" per 1-1 pair).
BEGIN { FS = "\t" }
/^#/ || NF < 2 { next }
{ split($2, en, " "); ids[++w] = $1; ens[w] = en[1] }

function capital(s) { return cap ? toupper(substr(s, 1, 1)) substr(s, 2) : s }

function sentence(   len, i, k, s, t) {
    len = 6 + int(rand() * 20); s = ""; t = ""
    for (i = 0; i < len; i++) {
        k = 1 + int(rand() * w)
        s = s (i ? " " : "") ids[k]; t = t (i ? " " : "") ens[k]
    }
    k = int(rand() * 5000)
    S = capital(s) " " k "."; T = capital(t) " " k "."
}

END {
    srand(seed); ns = 0; nt = 0
    while (ns < n) {
        sentence(); r = rand()
        if (r < 0.05) { printf "%s\t1.%d\t%s\n", doc, ++ns, S > src; continue }
        if (r < 0.10) { printf "%s\t1.%d\t%s\n", doc, ++nt, T > tgt; continue }
        if (r < 0.10 + merge) { s1 = S; t1 = T; sentence(); S = s1 " " S; T = t1 "\n" T }
        printf "%s\t1.%d\t%s\n", doc, ++ns, S > src
        parts = split(T, lines, "\n")
        for (p = 1; p <= parts; p++) printf "%s\t1.%d\t%s\n", doc, ++nt, lines[p] > tgt
        if (gold != "" && parts == 1) printf "1.%d=1.%d\n", ns, nt > gold
    }
}
