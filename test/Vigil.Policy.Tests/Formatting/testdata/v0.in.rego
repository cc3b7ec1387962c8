package v0style
import future.keywords.in
default allow = false
allow { input.role in ["admin", "ops"] }
names[n] { n := input.users[_].name }
scores[n] = s { s := input.scores[n] }
level = "high" { input.risk > 80 } else = "low" { true }
f(x) = y { y := x + 1 }
