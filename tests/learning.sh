# learning.sh - the continual-learning acceptance scenario (issue 8).
#
# Three models behind the mock provider: cheap, mid, expensive.  The cheap
# one answers chemistry questions badly.  A scripted user asks twenty mixed
# questions and rates each reply honestly (1 for a bad answer, 5 for a good
# one).  Afterwards chemistry goes to a better model, other questions still
# go to the cheap one, and that survives a restart (every command here is a
# new process that loads what the store holds).  The same scenario in budget
# mode spends less.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"

cat >"$T/script.json" <<'EOF2'
[
  {"model": "cheap", "prompt_contains": "chemistry", "reply": "I am not sure, sorry."},
  {"model": "newcheap", "reply": "I am not sure, sorry."}
]
EOF2
start_mock "$T/script.json"

chem() {
	case $1 in
	0) echo "In chemistry, what is the valence of carbon in methane?" ;;
	1) echo "A chemistry question: why does salt dissolve in water?" ;;
	2) echo "Explain this chemistry: what is an exothermic reaction?" ;;
	3) echo "In chemistry class we saw titration. What is it for?" ;;
	4) echo "What does pH measure in chemistry?" ;;
	5) echo "A chemistry puzzle: how many moles are in 18 grams of water?" ;;
	6) echo "In chemistry, what is a covalent bond?" ;;
	7) echo "Chemistry homework: balance H2 + O2 -> H2O." ;;
	8) echo "Organic chemistry: what is an alkene?" ;;
	*) echo "In chemistry, what is a catalyst?" ;;
	esac
}
other() {
	case $1 in
	0) echo "Suggest a name for a grey cat." ;;
	1) echo "What is the capital of France?" ;;
	2) echo "Write a haiku about autumn leaves." ;;
	3) echo "How do I reverse a list in Python?" ;;
	4) echo "Translate good morning into Spanish." ;;
	5) echo "Give me three tips for a job interview." ;;
	6) echo "What is 17 times 3?" ;;
	7) echo "Recommend a board game for four players." ;;
	8) echo "How long should I boil an egg?" ;;
	*) echo "What rhymes with orange?" ;;
	esac
}

# run_scenario HOME MODE: twenty rated questions; prints the spend.
run_scenario() {
	h=$1
	mkdir -p "$h"
	# cheap and mid start from the same prior: cheap wins on price until
	# the ratings say otherwise; expensive starts from GPT-4's profile.
	cat >"$h/config.json" <<EOF2
{
  "providers": {
    "mock": { "api": "openai", "base_url": "http://127.0.0.1:$PORT/v1", "auth": "none" }
  },
  "models": [
    { "id": "cheap", "provider": "mock", "price": [0.15, 0.6], "prior": "gpt-3.5-turbo-1106" },
    { "id": "mid", "provider": "mock", "price": [3, 15], "prior": "gpt-3.5-turbo-1106" },
    { "id": "expensive", "provider": "mock", "price": [15, 75], "prior": "gpt-4-1106-preview" }
  ],
  "router": { "mode": "$2" },
  "budget": { "daily_usd": 5 }
}
EOF2
	i=0
	while [ $i -lt 10 ]; do
		for q in "$(chem $i)" "$(other $i)"; do
			"$MC" --home "$h" ask --json "$q" >"$T/a.json" 2>"$T/a.err" ||
				{ fail "ask '$q'"; sed 's/^/  | /' "$T/a.err"; continue; }
			id=$(sed -n 's/.*"reply_id":"\([0-9.]*\)".*/\1/p' "$T/a.json")
			if grep -q "not sure" "$T/a.json"; then score=1; else score=5; fi
			"$MC" --home "$h" rate "$id" $score >/dev/null 2>"$T/r.err" ||
				{ fail "rate $id"; sed 's/^/  | /' "$T/r.err"; }
		done
		i=$((i + 1))
	done
}

# chosen HOME PROMPT: the model the router picks now (nothing is sent).
chosen() {
	"$MC" --home "$1" route --json "$2" 2>/dev/null |
		sed -n 's/^{"model":"\([^"]*\)".*/\1/p'
}

# Before any rating both kinds of question go to the cheap model.
H0=$T/fresh
mkdir -p "$H0"
H=$T/balanced
run_scenario "$H" balanced
mkdir -p "$H0" && cp "$H/config.json" "$H0/config.json"
m=$(chosen "$H0" "In chemistry, what is an isotope?")
[ "$m" = cheap ] && ok "without ratings chemistry goes to cheap" ||
	fail "without ratings chemistry goes to '${m}'"
"$MC" --home "$H" stats --json >"$T/stats.json"
grep -q '"ratings":[[:space:]]*20' "$T/stats.json" && ok "all 20 ratings are in the store" ||
	{ fail "the store does not hold 20 ratings"; head -c 400 "$T/stats.json"; }
# stats shows the lesson where it was taught: on the prompts cheap was
# rated on, its predictions are now much closer to what the ratings said.
if command -v jq >/dev/null 2>&1; then
	jq -r '.models.cheap.learned.rated_prompts | "\(.n) \(.off_prior) \(.off_now)"' \
		"$T/stats.json" >"$T/rp"
	read -r rn o0 o1 <"$T/rp"
	echo "stats: cheap was off its $rn ratings by $o0, now by $o1"
	awk -v a="$o0" -v b="$o1" 'BEGIN { exit !(b < 0.9 * a) }' &&
		ok "stats: cheap's predictions on its rated prompts moved toward the ratings" ||
		fail "stats: cheap off its ratings by $o0, now $o1"
	"$MC" --home "$H" stats >"$T/stats.txt"
	expect_grep "$T/stats.txt" "^cheap  .* off by [0-9.]* -> [0-9.]* ($rn)" "stats shows it in its table"
else
	echo "SKIP (one check): jq is not installed, stats' rated_prompts not read"
fi
m=$(chosen "$H" "In chemistry, what is an isotope?")
[ -n "$m" ] && [ "$m" != cheap ] && ok "chemistry now goes to $m" ||
	fail "chemistry still goes to '${m}'"
m=$(chosen "$H" "What is a good name for a goldfish?")
[ "$m" = cheap ] && ok "other questions still go to cheap" ||
	fail "other questions go to '${m}', not cheap"

# A model's prior changed in config.json after it was rated: what it
# learned is learned again from its ratings, from the new prior, as when
# its stored state is unreadable (the state from the old prior was kept,
# and stats credited the ratings with the difference between the priors).
if command -v jq >/dev/null 2>&1; then
	HELPER=${MIXCHAT_BUILDDIR:-.}/tests/store_helper
	HP=$T/prior_changed
	HD=$T/prior_damaged
	cp -r "$H" "$HP"
	sed -i 's/"id": "cheap", "provider": "mock", "price": \[0.15, 0.6\], "prior": "gpt-3.5-turbo-1106"/"id": "cheap", "provider": "mock", "price": [0.15, 0.6], "prior": "gpt-4-1106-preview"/' "$HP/config.json"
	grep -q '"cheap".*gpt-4-1106-preview' "$HP/config.json" || fail "the prior was not changed in $HP/config.json"
	cp -r "$HP" "$HD"
	"$HELPER" --damage-state "$HD/db" cheap || fail "store_helper --damage-state"
	cq() { "$MC" --home "$1" route --json "$2" 2>/dev/null |
		jq -r '.candidates[] | select(.model == "cheap") | "\(.quality * 10000 | round) \(.uncertainty * 10000 | round)"'; }
	q="In chemistry, what is an isotope?"
	old=$(cq "$H" "$q")
	"$MC" --home "$HP" route "$q" >/dev/null 2>"$T/pstats.err" || fail "route after the prior changed"
	for q in "$q" "What is a good name for a goldfish?"; do
		a=$(cq "$HP" "$q"); b=$(cq "$HD" "$q")
		[ -n "$a" ] && [ "$a" = "$b" ] && ok "prior changed: cheap is learned again from its ratings ($a)" ||
			fail "prior changed: cheap predicts '$a', learned again from its ratings '$b' ($q)"
	done
	[ "$(cq "$HP" "In chemistry, what is an isotope?")" != "$old" ] && ok "not as with the old prior ($old)" ||
		fail "cheap predicts as with the old prior"
	"$MC" --home "$HP" stats >"$T/pstats.txt" 2>/dev/null
	"$MC" --home "$HD" stats >"$T/dstats.txt" 2>/dev/null
	[ "$(grep '^cheap  *[0-9]*  0\.' "$T/pstats.txt")" = "$(grep '^cheap  *[0-9]*  0\.' "$T/dstats.txt")" ] &&
		ok "stats says what it learned as so ($(grep '^cheap  *[0-9]*  0\.' "$T/pstats.txt" | tr -s ' '))" ||
		fail "stats: '$(grep '^cheap  *[0-9]*  0\.' "$T/pstats.txt")' against '$(grep '^cheap  *[0-9]*  0\.' "$T/dstats.txt")'"
	expect_grep "$T/pstats.err" "what cheap learned was started from another prior than config.json names now: learned again from its 19 ratings" \
		"the relearning is said"
	# Stored: the next start loads it, and says nothing more.
	"$MC" --home "$HP" route "once more" >/dev/null 2>"$T/p2.err" || fail "route once more"
	grep -q "another prior" "$T/p2.err" && fail "learned again at every start: $(cat "$T/p2.err")" ||
		ok "and only once"
else
	echo "SKIP (prior change): jq is not installed"
fi

# `mixchat train` on data of one's own changes the tag set, and the
# models' learned states no longer fit it: what the ratings taught is
# learned again from them (and stored), never lost.
awk 'BEGIN { for (i = 0; i < 80; i++) {
	s = i % 2 ? "poetry" : "arithmetic"
	p = i % 2 ? "write a short poem about the sea number " i : "what is " i " plus " i * 3
	printf "{\"id\":\"o%d\",\"split\":\"train\",\"subject\":\"%s\",\"prompt\":\"%s\",\"quality\":{\"cheap\":%d,\"mid\":1,\"expensive\":1},\"cost_usd\":{\"cheap\":0.00001,\"mid\":0.0001,\"expensive\":0.001}}\n", i, s, p, i % 3 ? 1 : 0
} }' >"$T/own.jsonl"
H2=$T/retrained
cp -r "$H" "$H2"
"$MC" --home "$H2" train --data "$T/own.jsonl" --split train >/dev/null 2>"$T/train.err" ||
	{ fail "train on own data"; sed 's/^/  | /' "$T/train.err"; }
# The same router.state with no ratings: what cheap starts from there.
H3=$T/retrained_fresh
mkdir -p "$H3" && cp "$H/config.json" "$H2/router.state" "$H3/"
candidate_field() { # HOME PROMPT MODEL FIELD: a candidate's quality or uncertainty
	"$MC" --home "$1" route --json "$2" 2>/dev/null | tr '{' '\n' |
		grep "^\"model\":\"$3\"," | tr ',' '\n' |
		sed -n "s/^\"$4\":\([0-9.e-]*\).*/\1/p" | head -n 1
}
chem_q="In chemistry, what is an isotope?"
q_fresh=$(candidate_field "$H3" "$chem_q" cheap quality)
u_fresh=$(candidate_field "$H3" "$chem_q" cheap uncertainty)
"$MC" --home "$H2" route --json "$chem_q" >/dev/null 2>"$T/route.err"
expect_grep "$T/route.err" "what cheap learned was made under another tag set (router.state changed): learned again from its [0-9]* ratings" "after train: the start says cheap is learned again"
q_relearned=$(candidate_field "$H2" "$chem_q" cheap quality)
u_relearned=$(candidate_field "$H2" "$chem_q" cheap uncertainty)
echo "cheap on chemistry under the new router.state: quality $q_fresh, uncertainty $u_fresh without the ratings; $q_relearned, $u_relearned with them"
# Learned again: the ratings count as observations (the uncertainty
# shrinks, which the memory of rated prompts alone does not do) and pull
# cheap's chemistry quality down.
awk -v a="$u_fresh" -v b="$u_relearned" 'BEGIN { exit !(a != "" && b != "" && b < 0.9 * a) }' &&
	ok "the retrained router counts the ratings again (uncertainty $u_fresh -> $u_relearned)" ||
	fail "cheap's uncertainty: '$u_fresh' fresh, '$u_relearned' relearned"
awk -v a="$q_fresh" -v b="$q_relearned" 'BEGIN { exit !(a != "" && b != "" && a - b > 0.02) }' &&
	ok "the ratings still teach the retrained router that cheap fails chemistry" ||
	fail "cheap's chemistry quality: '$q_fresh' fresh, '$q_relearned' relearned"
"$MC" --home "$H2" route --json "$chem_q" >/dev/null 2>"$T/route.err"
expect_no_grep "$T/route.err" "learned again" "the relearned state was stored: the next start loads it"

# A rating corrected while its model was no candidate waits; `train` then
# changes the tag set.  The next start stores the model a state it can
# use (its prior, with the first rating learned again) and settles the
# correction on it: nothing stays pending.
H5=$T/corrected
mkdir -p "$H5"
sed 's/"router": { "mode": "[a-z]*" }/"router": { "mode": "balanced" }/' "$H/config.json" >"$H5/config.json"
"$MC" --home "$H5" ask --model mid "a question for mid alone" >/dev/null 2>&1
"$MC" --home "$H5" rate last 5 >/dev/null 2>&1
sed -i 's/{ "id": "mid", /{ "id": "mid", "enabled": false, /' "$H5/config.json"
"$MC" --home "$H5" rate last 1 >"$T/out" 2>&1
expect_grep "$T/out" "learns it when it is one again" "the correction waits while mid is no candidate"
sed -i 's/"enabled": false, //' "$H5/config.json"
"$MC" --home "$H5" train --data "$T/own.jsonl" --split train >/dev/null 2>&1
"$MC" --home "$H5" route --json "$chem_q" >/dev/null 2>"$T/route.err"
expect_grep "$T/route.err" "learned 1 rating kept while mid was not set up" "the next start learns the correction"
"$MC" --home "$H5" stats --json | tr -d ' \t\n' >"$T/st.json"
expect_grep "$T/st.json" '"learned":{"ratings_absorbed":1,"ratings_pending":0' "mid (the only model rated): one rating absorbed, none waiting"

spend_total() {
	"$MC" --home "$1" stats --json | tr ',' '\n' |
		sed -n 's/.*"total":[[:space:]]*\([0-9.e-]*\).*/\1/p' | head -n 1
}
B=$T/budget
run_scenario "$B" budget
sb=$(spend_total "$H")
sq=$(spend_total "$B")
echo "spend: balanced $sb, budget $sq"
awk -v a="$sq" -v b="$sb" 'BEGIN { exit !(a < b) }' &&
	ok "budget mode spent less ($sq < $sb)" || fail "budget mode spent $sq, balanced $sb"

# A model configured without a prior starts from its price tier and learns
# from its first ratings at their whole weight: five bad replies move its
# predicted quality a long way even for an unrelated prompt (a prior-backed
# model, or the weight of a tenth, would move by a hundredth), and the
# lesson survives a restart.
N=$T/tier
mkdir -p "$N"
cat >"$N/config.json" <<EOF2
{
  "providers": {
    "mock": { "api": "openai", "base_url": "http://127.0.0.1:$PORT/v1", "auth": "none" }
  },
  "models": [
    { "id": "newcheap", "provider": "mock", "price": [0.15, 0.6] },
    { "id": "newmid", "provider": "mock", "price": [3, 15] }
  ],
  "budget": { "daily_usd": 5 }
}
EOF2
predicted() { # HOME PROMPT MODEL: the model's predicted quality
	"$MC" --home "$1" route --json "$2" 2>/dev/null |
		jq -r --arg m "$3" '.candidates[] | select(.model == $m) | .quality'
}
probe="Recommend a film for a rainy Sunday afternoon."
q0=$(predicted "$N" "$probe" newcheap)
i=0
while [ $i -lt 5 ]; do
	"$MC" --home "$N" ask --json --model newcheap "$(other $i)" >"$T/a.json" 2>"$T/a.err" ||
		{ fail "ask newcheap"; sed 's/^/  | /' "$T/a.err"; }
	"$MC" --home "$N" rate last 1 >/dev/null 2>"$T/r.err" ||
		{ fail "rate last"; sed 's/^/  | /' "$T/r.err"; }
	i=$((i + 1))
done
q1=$(predicted "$N" "$probe" newcheap)
echo "newcheap predicted quality on an unrelated prompt: $q0 -> $q1"
awk -v a="$q0" -v b="$q1" 'BEGIN { exit !(a - b > 0.05) }' &&
	ok "a model without a prior learns from five ratings ($q0 -> $q1)" ||
	fail "five bad ratings moved a model without a prior from $q0 to $q1 only"

finish
