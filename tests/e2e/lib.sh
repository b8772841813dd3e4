# Shared by the e2e scripts: a work directory removed on exit, and checks.
# Each script: set -eu; . lib.sh; ...; pass
LC_ALL=C
export LC_ALL
: "${MTPREP:?MTPREP must name the mtprep binary}"
: "${MTPREP_SOURCE_DIR:?MTPREP_SOURCE_DIR must name the source tree}"
MTPREP_SHARED_DIR=${MTPREP_SHARED_DIR:-$MTPREP_SOURCE_DIR/../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

pass() {
    echo "PASS: $(basename "$0")"
}

# expect_exit CODE CMD...: runs CMD, stdout/stderr to $work/stdout, $work/stderr.
expect_exit() {
    want=$1
    shift
    set +e
    "$@" > "$work/stdout" 2> "$work/stderr"
    got=$?
    set -e
    [ "$got" -eq "$want" ] || {
        cat "$work/stderr" >&2
        fail "exit $got, expected $want: $*"
    }
}

# same_corpus REF DIR [WHEN]: DIR holds exactly the files of REF (not empty),
# byte for byte; WHEN names the moment in the failure message.
same_corpus() {
    [ -n "$(ls "$1")" ] || fail "$1: empty corpus"
    [ "$(cd "$1" && ls)" = "$(cd "$2" && ls)" ] || fail "$2: file set differs from $1${3:+ ($3)}"
    for same_corpus_file in $(cd "$1" && ls); do
        cmp "$1/$same_corpus_file" "$2/$same_corpus_file" ||
            fail "$2/$same_corpus_file differs from $1/$same_corpus_file${3:+ ($3)}"
    done
}

# ranks N ORDER: the ranks 0..N-1 of a sharded-run stage, reversed (rev) or
# odd ranks first (odd), to run tasks out of order.
ranks() {
    ranks_i=0
    ranks_list=
    while [ "$ranks_i" -lt "$1" ]; do
        case $2 in
        rev) ranks_list="$ranks_i $ranks_list" ;;
        odd)
            if [ $((ranks_i % 2)) -eq 1 ]; then
                ranks_list="$ranks_i $ranks_list"
            else
                ranks_list="$ranks_list $ranks_i"
            fi
            ;;
        esac
        ranks_i=$((ranks_i + 1))
    done
    echo $ranks_list
}

# need_shared PATH: skips the test (exit 77) when shared data is absent.
need_shared() {
    [ -e "$MTPREP_SHARED_DIR/$1" ] || {
        echo "SKIP: $MTPREP_SHARED_DIR/$1 not present"
        exit 77
    }
}

# near_copy_docs STEP: JSONL on stdout, 40 documents of 6 sentences: 30 with
# every word unique to the document, then 10 near copies of the first 10 (one
# word changed: Jaccard about 0.96, over dedup --docs's default 0.8). The
# i-th line holds document (i * STEP) % 40: STEP 1 keeps that order, 17
# spreads copies and originals apart (copies of 3, 4, 7 come first).
near_copy_docs() {
    awk -v step="$1" 'function letters(n,    s) {
            s = ""
            do { s = substr("abcdefghij", n % 10 + 1, 1) s; n = int(n / 10) } while (n > 0)
            return s
        }
        function sentence(doc, k, change,    w, t, word) {
            t = ""
            for (w = 0; w < 8; w++) {
                word = "kata" letters(doc) "z" letters(k * 8 + w)
                if (change && k == 3 && w == 0) word = "berubah"
                t = t (w ? " " : "") word
            }
            return toupper(substr(t, 1, 1)) substr(t, 2) "."
        }
        BEGIN {
            for (i = 0; i < 40; i++) {
                d = (i * step) % 40
                text = ""
                for (k = 0; k < 6; k++) text = text (k ? " " : "") sentence(d < 30 ? d : d - 30, k, d >= 30)
                printf "{\"id\": \"doc%03d\", \"text\": \"%s\"}\n", d, text
            }
        }'
}

# near_copy_pairs DIR OUT: copies the sample's id and en articles into DIR,
# adds a near copy of one article on both sides (one word changed on the
# source side), and prints an aligned recipe with [dedup_docs] that builds
# DIR into OUT.
near_copy_pairs() {
    mkdir -p "$1"
    cp -R "$MTPREP_SOURCE_DIR/corpora/sample/id" "$MTPREP_SOURCE_DIR/corpora/sample/en" "$1/"
    sed '0,/beras/s//gabah/' "$1/id/2022/0912-harga-beras.txt" > "$1/id/2023/0601-harga-ulang.txt"
    cp "$1/en/2022/0912-harga-beras.txt" "$1/en/2023/0601-harga-ulang.txt"
    printf '[build]\ninput = %s/id\ntgt-input = %s/en\noutput = %s\n[ingest]\non-error = skip\n' \
        "$1" "$1" "$2"
    printf '[dedup_docs]\n[write]\ndev-ratio = 0.15\ntest-ratio = 0.15\n'
}
