package rules
default allow:=false
default f(_) = 0
allow if input.user.admin
allow if {input.user.role == "editor"; input.request.method in {"GET", "PUT"}}


names contains name if { some name in input.names }
by_id[id] := user if { some user in input.users; id := user.id }
f(x) := x * 2 if x > 0
a.b.c := 1
a.b[k] := v if { some k, v in input.m }
p = 7
tier := "gold" if {
    input.spend > 1000
} else := "silver" if {
    input.spend > 100
} else := "bronze"
