package bodies

import data.lib

allow if {
	some i
	x := input.xs[i]
	not x.blocked
	some k, v in input.obj
	every e in input.list { e > 0; e < 10}
	input.a = input.b
	y := (1 + 2) * 3 - (4 - 5) / 6 % 7
	z := input.s | {1} & {2}
	input.x in {"a", "b"}
	k2, v2 in input.obj
	lib.check(x) with input.user as {"name": "alice"} with data.lib.roles as []
	count([e | some e in input.xs; e > 1]) > 0
	s := {e | some e in input.xs}
	o := {k3: v3 | some k3, v3 in input.obj}
	multi := [e |
		some e in input.xs
		e > 2
	]
}
