# Sourced by the experiment scripts that train single runs (not run on its own).
#   train_run NAME ARGS...   maskaae train ARGS --out runs/NAME --quiet under /usr/bin/time -v: its output in
#                            runs/NAME.stdout, the timing in runs/NAME.time; then collect_run NAME and print
#                            the summary
#   collect_run NAME         copy runs/NAME to results/NAME without its checkpoint, and the wall-clock time and
#                            peak memory to results/NAME/time.txt when the run was timed
train_run() {
    local name=$1; shift
    /usr/bin/time -v .venv/bin/maskaae train "$@" --out "runs/$name" --quiet \
        > "runs/$name.stdout" 2> "runs/$name.time"
    collect_run "$name"
    cat "runs/$name.stdout"
}
collect_run() {
    local name=$1
    mkdir -p "results/$name"
    find "runs/$name" -maxdepth 1 -type f ! -name checkpoint.pt -exec cp {} "results/$name/" \;
    if [ -f "runs/$name.time" ]; then
        grep -E "Elapsed|Maximum resident" "runs/$name.time" > "results/$name/time.txt"
    fi
}
