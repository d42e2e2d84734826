# router_cli.sh - mixchat train / eval / route on the real routing data:
# the stored state, the shipped priors match a re-fit, eval's JSON keys and
# sanity of its numbers, the online replay, a malformed dataset line, route
# with budget exclusion, a corrupt state file.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"

RB="$SHARED/data/routing/prompts.jsonl.gz"
RL="$SHARED/data/routing/routellm_mmlu_gsm8k.jsonl.gz"
if [ ! -r "$RB" ] || [ ! -r "$RL" ]; then
	echo "SKIP: $SHARED/data/routing is not there (set MIXCHAT_SHARED)"
	exit 77
fi
gzip -dc "$RB" >"$T/rb.jsonl"
gzip -dc "$RL" | grep '"source": "gsm8k"' >"$T/gsm8k.jsonl"
H="$T/home"

expect_exit 0 "train stores the state" -- "$MC" --home "$H" train --data "$T/rb.jsonl" --split train
[ -s "$H/router.state" ] && ok "router.state written" || fail "no $H/router.state"
expect_grep "$T/err" "trained on 2532 prompts" "train says what it fitted"
# The state takes the built-in priors' place: a prior of config.json it
# lacks is said at once, with the way back.
HG="$T/home_gsm"
mkdir -p "$HG"
printf '{ "providers": { "l": { "api": "openai", "base_url": "http://127.0.0.1:9/v1", "auth": "none" } },\n  "models": [ { "id": "m", "provider": "l", "price": [0, 0], "prior": "mistralai/mistral-7b-chat" } ] }\n' >"$HG/config.json"
expect_exit 0 "train on GSM8K rows" -- "$MC" --home "$HG" train --data "$T/gsm8k.jsonl"
expect_grep "$T/err" 'the state has no profile for the prior of m ("mistralai/mistral-7b-chat") in config.json' "train names a prior the state lacks"
expect_grep "$T/err" "delete $HG/router.state to go back to them" "and how to go back"

# The shipped priors are exactly what `make router-priors` produces.
"$MC" train --data - --split train --format c --out "$T/priors.c" <"$T/rb.jsonl" 2>/dev/null
if cmp -s "$T/priors.c" "$MIXCHAT_SRCDIR/src/router/priors_data.c"; then
	ok "shipped priors match a re-fit"
else fail "src/router/priors_data.c differs from a re-fit: run make router-priors"; fi

expect_exit 0 "eval --json" -- "$MC" eval --data "$T/rb.jsonl" --json --online 0.7
cp "$T/out" "$T/eval.json"
for key in n_test ref_model curve lambda quality cost_usd quality_pct cost_pct \
    cost_pct_at_97_25 aiq apgr cpt50 cpt80 oracle best_single \
    route_us_median route_us_p99 online quality_learning quality_frozen; do
	expect_grep "$T/eval.json" "\"$key\":" "eval JSON has $key"
done
expect_grep "$T/eval.json" '"n_test":632' "eval routes the 632 test prompts"
expect_grep "$T/eval.json" '"ref_model":"gpt-4-1106-preview"' "reference: the costliest model"
expect_grep "$T/eval.json" '"apgr":null' "no APGR for 11 models"
# The router must beat every single model's hull (0.81) and stay below the oracle.
aiq=$(sed 's/.*"aiq":\([0-9.]*\).*/\1/' "$T/eval.json")
if awk "BEGIN { exit !($aiq > 0.83 && $aiq < 0.98) }"; then ok "AIQ $aiq is sane"
else fail "AIQ $aiq out of the expected range"; fi

# The online replay is fair: with no feedback the two copies are the same
# router and must make the same choices, from the fit and from the priors.
expect_grep "$T/eval.json" '"online_prior":{"start":"prior"' "eval JSON has the replay from the priors"
expect_exit 0 "eval --online 0" -- "$MC" eval --data "$T/gsm8k.jsonl" --json --online 0
for which in online online_prior; do
	same=$(jq -r ".$which | .quality_learning == .quality_frozen and .cost_usd_learning == .cost_usd_frozen" "$T/out")
	case $same in
	true) ok "$which: without feedback learning and frozen agree" ;;
	*) fail "$which: without feedback learning and frozen differ" ;;
	esac
	gain=$(jq -r ".$which | .utility_gain == 0 and .utility_gain_se == 0" "$T/out")
	[ "$gain" = true ] && ok "$which: without feedback the paired gain is 0 +/- 0" ||
		fail "$which: without feedback the paired gain is not 0 +/- 0"
done
# The full-information ceiling refits with the feedback rows added: with
# none, both fits are the same router and the ceiling is exactly 0 +/- 0.
for which in online.ceiling_after online_partial.ceiling; do
	gain=$(jq -r ".${which%%.*} | .${which#*.}_utility_gain == 0 and .${which#*.}_utility_gain_se == 0" "$T/out")
	[ "$gain" = true ] && ok "$which: without feedback the ceiling is 0 +/- 0" ||
		fail "$which: without feedback the ceiling is not 0 +/- 0: $(jq -c ".${which%%.*}" "$T/out")"
done
# With feedback, the paired gain is the difference of the two utilities
# (every prompt decided by both) and comes with a positive standard error.
for which in online online_prior online_tier online_partial; do
	gain=$(jq -r ".$which | ((.utility_gain - (.utility_learning - .utility_frozen)) | fabs) < 1e-9 and .utility_gain_se > 0 and .utility_gain_se < 0.1" "$T/eval.json")
	[ "$gain" = true ] && ok "$which: paired gain and its standard error" ||
		fail "$which: paired gain $(jq -c ".$which | [.utility_gain, .utility_learning - .utility_frozen, .utility_gain_se]" "$T/eval.json")"
done
# The same over the prompts after the feedback; and the ceilings, fitted
# with the feedback rows' every model, route differently (a standard error
# above 0) - were the extra rows not used, both fits would agree.
# Each gain's verdict: more than two standard errors either way, the same
# decisions throughout, or noise.
verdicts=$(jq -r '[.online, .online_prior, .online_tier, .online_partial] | map(.verdict == (if .utility_gain == 0 and .utility_gain_se == 0 then "no difference" elif .utility_gain > 2 * .utility_gain_se then "wins" elif .utility_gain < -2 * .utility_gain_se then "loses" else "within noise" end)) | all' "$T/eval.json")
[ "$verdicts" = true ] && ok "each replay's verdict follows its gain and standard error" ||
	fail "verdicts: $(jq -c '[.online, .online_prior, .online_tier, .online_partial] | map([.utility_gain, .utility_gain_se, .verdict])' "$T/eval.json")"
gain=$(jq -r ".online | ((.after_utility_gain - (.after_utility_learning - .after_utility_frozen)) | fabs) < 1e-9 and .after_utility_gain_se > 0" "$T/eval.json")
[ "$gain" = true ] && ok "online: paired gain after the feedback" ||
	fail "online: paired gain after the feedback $(jq -c ".online" "$T/eval.json")"
ceil=$(jq -r "[.online.ceiling_after_utility_gain_se, .online_partial.ceiling_utility_gain_se] | map(. > 0 and . < 0.1) | all" "$T/eval.json")
[ "$ceil" = true ] && ok "online, online_partial: the ceilings use the extra rows" ||
	fail "ceilings: $(jq -c "[.online.ceiling_after_utility_gain, .online.ceiling_after_utility_gain_se, .online_partial.ceiling_utility_gain, .online_partial.ceiling_utility_gain_se]" "$T/eval.json")"

expect_exit 0 "eval text, tags off" -- "$MC" eval --data "$T/rb.jsonl" --no-tags
expect_grep "$T/out" "(tags off)" "the ablation says tags are off"
expect_grep "$T/out" "^tags: one for every prompt (--no-tags)" "with one tag, no tag accuracy of 0 %"
# The near duplicates: the Winogrande twins of RouterBench are found, and
# left alone (their errors anti-correlate on train: rho 0), so the
# decisions are those of the fit without them; --no-exemplars drops them.
n_near=$(jq -r .n_near_duplicates "$T/eval.json")
[ "$n_near" -gt 50 ] && [ "$(jq -r .exemplars "$T/eval.json")" = true ] &&
	ok "eval finds $n_near near duplicates of training prompts" ||
	fail "near duplicates: $n_near"
expect_exit 0 "eval --no-exemplars" -- "$MC" eval --data "$T/rb.jsonl" --no-exemplars --json
if [ "$(jq -r '[.exemplars, .n_near_duplicates] | @text' "$T/out")" = '[false,0]' ]; then
	ok "--no-exemplars: none kept, none found"
else fail "--no-exemplars: $(jq -c '[.exemplars, .n_near_duplicates]' "$T/out")"; fi
# Only the fitted start of the online replay keeps them: from the priors
# and the price tiers (configured models) the replay is the same without
# them.  OVERRULING's near duplicates do move decisions (rho > 0 there).
OV="$SHARED/data/routing/frugalgpt_overruling.jsonl.gz"
if [ -r "$OV" ]; then
	gzip -dc "$OV" >"$T/ov.jsonl"
	for x in "" --no-exemplars; do
		"$MC" eval --data "$T/ov.jsonl" --online 0.7 $x --json |
			jq -c '[.online_prior.utility_learning, .online_tier.utility_learning]'
	done >"$T/ov_starts"
	[ "$(sort -u "$T/ov_starts" | wc -l)" = 1 ] &&
		ok "configured-model starts carry no near duplicates" ||
		fail "the prior/tier replays depend on the exemplars: $(cat "$T/ov_starts")"
else
	echo "SKIP part: $OV is not there"
fi
# The price-tier start reads per-token prices.  Rows without reply lengths
# (FrugalGPT's) make dataset_prices' "output price" a charge per request,
# about 0 for a model billed by the token: a tier from (in + 2 out) / 3
# would see b ($3 per 1M tokens) as $1 and as cheap a tier as a ($1.9).
# b's tier is above a's, so at lambda 0.01 the frozen copy takes b.
awk 'BEGIN { for (i = 0; i < 40; i++) {
	p = "how many apples are there in basket " i
	for (j = 0; j < i % 7; j++) p = p " and then some more words"
	n = int((length(p) + 3) / 4)
	printf "{\"id\":\"r%d\",\"split\":\"%s\",\"prompt\":\"%s\",\"quality\":{\"a\":%d,\"b\":1},\"cost_usd\":{\"a\":%.10f,\"b\":%.10f}}\n", i, i < 30 ? "train" : "test", p, i % 2, 1.9e-6 * n, 3.0e-6 * n
} }' >"$T/flat.jsonl"
expect_exit 0 "eval --online, no reply lengths" -- "$MC" eval --data "$T/flat.jsonl" --online 0.7 --lambda 0.01 --json
[ "$(jq -r '.online_tier.quality_frozen' "$T/out")" = 1 ] &&
	ok "price tiers from per-token prices when rows give no reply lengths" ||
	fail "tier start without reply lengths: $(jq -c '.online_tier | [.quality_frozen, .cost_usd_frozen]' "$T/out")"
expect_exit 0 "eval text" -- sh -c "'$MC' eval --data - <'$T/rb.jsonl'"
expect_grep "$T/out" "^AIQ 0\.[0-9]" "eval prints AIQ"
expect_grep "$T/out" "97.25% of the reference" "eval prints the 97.25% point"
# The curve's rows differ: decisions that move the cost by less than its
# last digit are not a row of the same figures again.
dups=$(awk '/^ +lambda +quality/ { c = 1; next } c && NF == 5 { $1 = ""; if ($0 == last) print; last = $0 } c && NF != 5 { c = 0 }' "$T/out")
[ -z "$dups" ] && ok "no two curve rows print the same figures" ||
	fail "curve rows repeated: $dups"

# A share under 1 never prints as 100 %: GSM8K reaches 97.25 % in 199 of
# the 200 resamples.
expect_exit 0 "eval text with the online replay" -- "$MC" eval --data "$T/gsm8k.jsonl" --online 0.7
reached=$(sed -n 's/.*reached in \([0-9.]*\)% of the resamples.*/\1/p' "$T/out")
"$MC" eval --data "$T/gsm8k.jsonl" --json >"$T/gsm8k.json"
share=$(jq -r '.bootstrap.cost_pct_at_97_25_reached' "$T/gsm8k.json")
if [ -n "$reached" ] && awk "BEGIN { exit !($share < 1 ? $reached < 100 && $reached > 100 * $share - 0.5 : $reached == 100) }"; then
	ok "reached in $reached% of the resamples (a share of $share)"
else fail "reached in '$reached'% of the resamples, a share of $share"; fi
# The online table says which prompts each column is over.
expect_grep "$T/out" "^ *-* all prompts -* with feedback  -* after the feedback -*$" "the online table's column groups"
expect_grep "$T/out" "^ *quality  *cost_usd  *utility  *quality  *quality  *cost_usd  *utility$" "each column named in full"

expect_exit 0 "eval two models" -- "$MC" eval --data "$T/gsm8k.jsonl" --json
apgr=$(sed 's/.*"apgr":\([0-9.]*\).*/\1/' "$T/out")
if awk "BEGIN { exit !($apgr > 0.55 && $apgr <= 1) }"; then ok "GSM8K APGR $apgr beats random"
else fail "GSM8K APGR $apgr"; fi

# The bootstrap's standard errors: there, and they shrink as the test set
# grows (every test prompt four times: about half).  Zero would mean the
# resamples do not resample; the same with four times the prompts would
# mean they ignore the test set's size.
se1=$(jq -r '.bootstrap | select(.resamples == 200 and .aiq_se > 0) | .apgr_se' "$T/out")
jq -c 'if .split == "test" then ., (.id += ".b"), (.id += ".c"), (.id += ".d") else . end' \
    "$T/gsm8k.jsonl" >"$T/gsm8k4.jsonl"
"$MC" eval --data "$T/gsm8k4.jsonl" --json >"$T/out4" 2>&1
se4=$(jq -r '.bootstrap.apgr_se' "$T/out4")
if [ -n "$se1" ] && awk "BEGIN { r = $se4 / $se1; exit !($se1 > 0.01 && $se1 < 0.2 && r > 0.35 && r < 0.7) }"; then
	ok "APGR standard error $se1, $se4 with every test prompt four times"
else fail "APGR standard errors: '$se1' then '$se4'"; fi
# One model: nothing to route between, nothing to resample into a
# standard error of AIQ, and no read past the one model.
jq -c 'with_entries(if (.value | type) == "object" then .value |= with_entries(select(.key == "gpt-4-1106-preview")) else . end)' \
    "$T/gsm8k.jsonl" >"$T/one.jsonl"
expect_exit 0 "eval with one model" -- "$MC" eval --data "$T/one.jsonl" --json
if jq -e '.apgr == null and .bootstrap.aiq_se == null and .bootstrap.apgr_se == null and .n_test == 264' "$T/out" >/dev/null; then
	ok "one model: no APGR, no AIQ standard error"
else fail "one model: $(jq -c '[.apgr, .bootstrap]' "$T/out")"; fi
expect_exit 0 "eval text with one model" -- "$MC" eval --data "$T/one.jsonl"
expect_grep "$T/out" '^  +/- n/a (standard error' "the text says n/a, not nan"
if jq -e '.bootstrap | .apgr_se == null and .aiq_se > 0.001 and .aiq_se < 0.05 and .cost_pct_at_97_25_reached > 0.5' "$T/eval.json" >/dev/null; then
	ok "RouterBench: AIQ standard error, no APGR one"
else fail "RouterBench bootstrap: $(jq -c .bootstrap "$T/eval.json")"; fi

# Bad input: the line and the field are named, the exit is non-zero.
head -2 "$T/rb.jsonl" >"$T/bad.jsonl"
head -3 "$T/rb.jsonl" | tail -1 | sed 's/"cost_usd": {"WizardLM[^,]*,/"cost_usd": {/' >>"$T/bad.jsonl"
expect_exit 1 "malformed dataset line" -- "$MC" eval --data "$T/bad.jsonl"
expect_grep "$T/err" "bad.jsonl:3: cost_usd.WizardLM/WizardLM-13B-V1.2: missing" "error names line and field"
printf '{"id": 1}\n' >"$T/bad2.jsonl"
expect_exit 1 "train on a malformed line" -- "$MC" train --data "$T/bad2.jsonl" --out "$T/x.state"
expect_grep "$T/err" "bad2.jsonl:1: id" "train names line and field"
expect_exit 2 "eval without --data" -- "$MC" eval
cp "$H/router.state" "$T/state.before"
# --out naming a folder is said at once, not after the fit.
mkdir -p "$T/statedir"
expect_exit 2 "train --out FOLDER" -- "$MC" train --data "$T/bad2.jsonl" --out "$T/statedir"
expect_grep "$T/err" "--out $T/statedir is a folder: give a file name" "train --out FOLDER says it is a folder, before reading the data"
expect_exit 2 "train --format c without --out" -- "$MC" --home "$H" train --data "$T/rb.jsonl" --format c
expect_grep "$T/err" "format c needs --out FILE" "--format c asks for --out"
cmp -s "$H/router.state" "$T/state.before" && ok "the state is left as it was" || fail "train --format c changed router.state"
expect_exit 2 "eval --online out of range" -- "$MC" eval --data x --online 2
expect_exit 2 "eval --ref with no such model" -- "$MC" eval --data "$T/gsm8k.jsonl" --ref nosuch
expect_grep "$T/err" "--ref nosuch is not a model of the dataset" "--ref names the model"
expect_exit 2 "eval --lambda inf" -- "$MC" eval --data x --online 0.7 --lambda inf
expect_exit 2 "eval --lambda without --online" -- "$MC" eval --data x --lambda 0.1
expect_grep "$T/err" "give it with --online F" "--lambda alone says it is the replay's"

# route: the configured models, JSON keys, budget exclusion.
mkdir -p "$T/r"
cat >"$T/r/config.json" <<'JSON'
{
  "models": [
    { "id": "big-model", "provider": "openai", "price": [10, 30], "prior": "gpt-4-1106-preview" },
    { "id": "small-model", "provider": "openai", "price": [0.2, 0.2], "prior": "mistralai/mistral-7b-chat" }
  ],
  "router": { "mode": "quality" },
  "budget": { "daily_usd": 0.0001 }
}
JSON
expect_exit 0 "route --json" -- "$MC" --home "$T/r" route --json "Which planet is the largest? A) Mars B) Jupiter"
for key in model mode candidates quality cost_usd latency_ms uncertainty score excluded; do
	expect_grep "$T/out" "\"$key\":" "route JSON has $key"
done
expect_grep "$T/out" '"model":"small-model"' "the budget rules the big model out"
expect_grep "$T/out" '"excluded":"over budget"' "exclusion says why"
expect_exit 0 "route --explain" -- "$MC" --home "$T/r" route --explain "hello"
expect_grep "$T/out" "^tags:" "--explain shows the tags"
expect_grep "$T/out" "^  ▶ small-model " "the winner is marked as /why marks it"
expect_grep "$T/out" "^    big-model *not a candidate: over budget$" "a model ruled out is said in words, without figures"
expect_grep "$T/out" "^    model  *quality  *cost  *latency  *±  *score$" "the /why header"
sed -i 's/"daily_usd": 0.0001/"daily_usd": 0.0000001/' "$T/r/config.json"
expect_exit 1 "nothing fits the budget" -- "$MC" --home "$T/r" route "hello"
expect_grep "$T/err" "nothing fits" "says nothing fits"

# The table's columns line up whatever the ids: the model column is as
# wide as the longest id shown (to 40; longer ones cut with a mark).  The
# built-in catalog has ids past 40 (meta-llama/Meta-Llama-3.1-8B-...).
mkdir -p "$T/cols"
LC_ALL=C "$MC" --home "$T/cols" route hello >"$T/cols.out" 2>"$T/cols.err"
awk 'BEGIN { e = 0; bad = 0; rows = 0 }
	/^    model / { e = index($0, "quality") + 6; next }
	e && /^$/ { exit }
	e { rows++; c = substr($0, e - 4, 6)
	    if (c !~ /^[0-9]\.[0-9][0-9][0-9] $/) { bad++; print "  | " $0 } }
	END { if (rows < 2 || bad) exit 1 }' "$T/cols.out" >"$T/cols.bad" &&
	ok "route: every row's quality column ends under the header's" ||
	{ fail "route: columns out of line: $(head -5 "$T/cols.bad")"; head -3 "$T/cols.out" | sed 's/^/  | /'; }
grep -q '^    meta-llama/Meta-Llama-3.1-8B-Instruct\.\.\.   0\.' "$T/cols.out" &&
	ok "an id past 40 columns is cut with ..." || fail "no cut id: $(grep meta-llama "$T/cols.out")"
head -1 "$T/cols.out" | grep -q '^    model \{36\}quality' &&
	ok "the model column is 40 wide" || fail "header: $(head -1 "$T/cols.out")"
LC_ALL=C.UTF-8 "$MC" --home "$T/cols" route hello >"$T/cols.out" 2>"$T/cols.err"
grep -q '^    meta-llama/Meta-Llama-3.1-8B-Instruct-T… ' "$T/cols.out" &&
	ok "in UTF-8, cut with …" || fail "no … cut: $(grep meta-llama "$T/cols.out")"
# Short ids: the column is as wide as the longest of them.
mkdir -p "$T/short"
sed 's/"daily_usd": [0-9.]*/"daily_usd": 5/' "$T/r/config.json" >"$T/short/config.json"
expect_exit 0 "route with short ids" -- "$MC" --home "$T/short" route "hello"
head -1 "$T/out" | grep -q '^    model \{7\}quality' &&
	ok "the model column fits small-model" || fail "header: $(head -1 "$T/out")"

# route stores nothing: on a fresh home it creates no data folder (the
# README: folders are made when something is first stored), and decides
# as it does over an empty store.
[ ! -e "$T/cols/db" ] && [ -z "$(ls -A "$T/cols")" ] &&
	ok "route on an empty --home folder leaves it empty" ||
	fail "route made: $(find "$T/cols" -mindepth 1 | head -5)"
mkdir -p "$T/xdg"
env -u XDG_DATA_HOME -u XDG_CONFIG_HOME -u MIXCHAT_HOME HOME="$T/xdg" \
	"$MC" route --json "Which planet is the largest?" >"$T/fresh.json" 2>"$T/fresh.err"
[ $? = 0 ] && [ -z "$(ls -A "$T/xdg")" ] &&
	ok "route with a fresh HOME creates no ~/.local/share/mixchat" ||
	fail "route with a fresh HOME: $(find "$T/xdg" -mindepth 1 | head -5) $(cat "$T/fresh.err")"
mkdir -p "$T/stored"
: >"$T/none.jsonl"
"$MC" --home "$T/stored" ratings import "$T/none.jsonl" >/dev/null 2>&1
[ -e "$T/stored/db/data.mdb" ] || fail "ratings import made no store to compare with"
"$MC" --home "$T/stored" route --json "Which planet is the largest?" >"$T/stored.json" 2>/dev/null
cmp -s "$T/fresh.json" "$T/stored.json" &&
	ok "the same decision as over an empty store" ||
	fail "route differs without a store: $(head -c 300 "$T/fresh.json") vs $(head -c 300 "$T/stored.json")"

# A prior the router does not hold (a typo) is said, not silently the
# price tier.
sed -i 's/"daily_usd": 0.0000001/"daily_usd": 5/; s/"mistralai\/mistral-7b-chat"/"mistral-7b-typo"/' "$T/r/config.json"
expect_exit 0 "route with a prior typo" -- "$MC" --home "$T/r" route "hello"
expect_grep "$T/err" 'small-model (prior "mistral-7b-typo"): no such prior among the router.s profiles (the built-in priors); it starts from its price tier' "the unknown prior is named"
# Cut short, it names the file, the line and the prior meant.
sed -i 's/"mistral-7b-typo"/"gpt-4-1106"/' "$T/r/config.json"
line=$(grep -n '"gpt-4-1106"' "$T/r/config.json" | head -1 | cut -d: -f1)
expect_exit 0 "route with a prior cut short" -- "$MC" --home "$T/r" route "hello"
expect_grep "$T/err" "config.json:$line: small-model (prior \"gpt-4-1106\"; did you mean \"gpt-4-1106-preview\"?): no such prior" "the unknown prior's line and the prior meant are named"
sed -i 's/"gpt-4-1106"/"mistralai\/mistral-7b-chat"/' "$T/r/config.json"
expect_exit 0 "route with known priors" -- "$MC" --home "$T/r" route "hello"
grep -q "no such prior" "$T/err" && fail "a known prior was reported" || ok "known priors say nothing"

# A corrupt state is reported and not loaded; routing goes on.
printf 'MXRT garbage' >"$T/r/router.state"
sed -i 's/"daily_usd": 0.0000001/"daily_usd": 5/' "$T/r/config.json"
expect_exit 0 "route with a corrupt state" -- "$MC" --home "$T/r" route "hello"
expect_grep "$T/err" "router.state" "the corrupt state is named"
expect_exit 0 "stats with a corrupt state" -- "$MC" --home "$T/r" stats
expect_grep "$T/err" "router.state: not used" "stats names it too"
[ "$(grep -c "router.state: not used" "$T/err")" = 1 ] && ok "once" || fail "named $(grep -c "router.state: not used" "$T/err") times"

# No configured models: the catalog, said on stderr.
expect_exit 0 "route without config" -- "$MC" --home "$T/empty" route "hi"
expect_grep "$T/err" "built-in catalog" "says it uses the catalog"

finish
