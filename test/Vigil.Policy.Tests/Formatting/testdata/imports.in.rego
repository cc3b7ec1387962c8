package   imports.example
import rego.v1
import input.request as req
import data.users
import data.groups as g

import data.zeta
import data.alpha

allow if req.method == "GET"
