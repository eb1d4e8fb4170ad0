# Shared by the CLI test scripts: counters, checks, JSON access, and the bad-input contract
# (exit status 2, exactly one "error" line on stderr, no output file left behind).
# Needs $work (a scratch folder) set by the sourcing script.
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; }
check() { local name="$1"; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
json() { node -e 'const o=JSON.parse(require("fs").readFileSync(0,"utf8"));const v=o[process.argv[1]];if(v===undefined){process.exit(3)}console.log(v)' "$2" <<<"$1"; }
above() { node -e "process.exit(($1) > ($2) ? 0 : 1)"; }

# expect_error NAME OUTPUT_PATH CMD...
expect_error() {
  local name="$1" output="$2"; shift 2
  rm -f "$output"
  "$@" >"$work/out.txt" 2>"$work/err.txt"
  local rc=$?
  local lines
  lines=$(wc -l <"$work/err.txt")
  if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -e "$output" ] && grep -q "error" "$work/err.txt"; then
    pass "$name ($(cat "$work/err.txt"))"
  else
    fail "$name: rc=$rc, stderr lines=$lines, output exists=$([ -e "$output" ] && echo yes || echo no)"
    cat "$work/err.txt"
  fi
}

# Prints the closing count and returns non-zero when anything failed.
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
