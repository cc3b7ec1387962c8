# Vigil gateway demo policy: one decision per request, as an object with allow / reason / rule
# and, when a fresh MFA would change the answer, a step-up obligation.
# Input: docs/decision-input.md (input.user, input.request, input.resource, input.device, input.type).
package vigil.gateway

import rego.v1

default decision := {"allow": false, "reason": "no rule allows this request"}

decision := {"allow": true, "rule": "public"} if input.resource.classification == "public"

decision := {"allow": true, "rule": "internal_authenticated"} if {
	input.resource.classification == "internal"
	input.user.authenticated == true
}

decision := {"allow": true, "rule": "sensitive_admin_fresh_mfa"} if {
	sensitive
	is_admin
	fresh_mfa
}

decision := {"allow": false, "reason": "this resource needs a two-step verification less than an hour old", "step_up": true, "mfa_max_age_seconds": 3600} if {
	sensitive
	is_admin
	not fresh_mfa
}

decision := {"allow": false, "reason": sprintf("the admin role is required for %s resources", [input.resource.classification])} if {
	sensitive
	not is_admin
}

sensitive if input.resource.classification in {"confidential", "restricted"}

is_admin if "admin" in input.user.roles

fresh_mfa if {
	input.user.mfa_verified == true
	input.user.mfa_age_seconds < 3600
}
