# lp_gap.awk: the logparse gap to wc -l, from the instruction profile
# (lines "input lines bytes ctadvisor_ir wc_ir"; the first is the empty
# input) and the median wall times -v lp=S -v wc=S of the 1 GiB runs.
# Turns instruction counts into seconds at logparse's own measured rate.
NR == 1 { fixed = $4; fixed_wc = $5; next }
{ ir[$1] = $4 - fixed; lines[$1] = $2; bytes[$1] = $3; if ($1 == "all") ir_wc_all = $5 - fixed_wc }
END {
	if (!bytes["all"] || !ir["all"] || lp <= 0 || wc <= 0)
		exit
	parsed_share = ir["parsed"] / ir["all"]
	floor = lp * parsed_share
	budget = 3 * wc
	per_line = ir["parsed"] / lines["parsed"]
	printf "The parsed lines are %.0f %% of the lines and %.0f %% of the bytes, and take %.0f %% of the instructions.\n",
		lines["parsed"] / lines["all"] * 100, bytes["parsed"] / bytes["all"] * 100, parsed_share * 100
	printf "Were the rejected lines free, logparse would still take about %.2f s on the 1 GiB log, %.1f× wc -l.\n",
		floor, floor / wc
	if (floor < budget)
		printf "The target (3× wc -l = %.2f s) is within reach of the parsed lines alone.\n", budget
	else
		printf "The target (3× wc -l = %.2f s) leaves a parsed line %.0f instructions at most (now %.0f, %.1f× more), even with the rejected lines free.\n",
			budget, per_line * budget / floor, per_line, floor / budget
	printf "wc -l executes %.2f instructions per byte (AVX2 memchr: 32 bytes per compare); most of its wall time is the kernel copying the page cache.\n",
		ir_wc_all / bytes["all"]
}
