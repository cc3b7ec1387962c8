package literals

s := "tab\there \"quoted\" \u00e9 \\ end"

r := `raw \n stays
over lines`

n := [1.50e3, -.5, 0.0, 1e-3, -7, 100000000000000000000000001]
k := input["a-b"]["c"].d[0]
t := $"hello {input.name}, you are {count(input.xs)} \{literal\}"
u := input["if"]
b := [true, false, null]
