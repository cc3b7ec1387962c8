package imports.example

import data.groups as g
import data.users
import input.request as req
import rego.v1

import data.alpha
import data.zeta

allow if req.method == "GET"
