package collections
single := {"a": 1, "b": [1, 2, 3], "c": {1, 2}}
empty := {"o": {}, "a": [], "s": set()}
multi := {"a": 1,
  "b": [1, 2,
  3], "c": {
  "d": true}}
call := sprintf(
  "%s-%s",
  [input.a, input.b])
nested := [[1, 2],
  [3, 4]]
