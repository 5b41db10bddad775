# Sourced by the throughput scripts: what they share to measure readers and report them to
# run_all.sh.

# timed NAME COMMAND…: runs COMMAND, its user and system CPU seconds and peak RSS (KiB) into
# $work/time-NAME.
timed() { local name=$1; shift; /usr/bin/time -f '%U %S %M' -o "$work/time-$name" "$@"; }

# One RESULT line per entry of the array `results`, each "READER RUN SECONDS CPU_S RSS_KIB".
#   print_results SOURCE RECORDS BYTES
print_results() {
  local source=$1 records=$2 bytes=$3 result reader run wall cpu rss_kib
  echo
  for result in "${results[@]}"; do
    read -r reader run wall cpu rss_kib <<< "$result"
    echo "RESULT source=$source reader=$reader kind=throughput run=$run records=$records" \
      "seconds=$wall bytes=$bytes cpu_s=$cpu rss_kib=$rss_kib"
  done
}
