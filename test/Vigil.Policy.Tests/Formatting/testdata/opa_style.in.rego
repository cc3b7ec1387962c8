package opa_style
import rego.v1
import future.keywords.in
default allow = false
allow if { input.admin }
allow if input.owner == input.user
x := 1
y := 2
deny contains "no user" if not input.user
long if {
    input.a
}
short if input.b
level := "high" if input.risk > 80
else := "low"
tier := 1 if {
    input.gold
}
# comment on else
else := 2
a.b.c = "d" if true
q[1] = y if true
p.q.r[2] if true
roles["admin"] := ["read", "write"]
half(n) := (n % 2) == 0
findings := [{
    "id": 1,
    "ok": true,
}]
vars if {
    some a, b, # first two
        c
    [a, b, c] == [1, 2, 3]
}
import data.late
