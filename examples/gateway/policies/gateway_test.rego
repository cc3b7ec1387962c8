package vigil.gateway_test

import rego.v1

import data.vigil.gateway

admin_fresh := {"authenticated": true, "roles": ["admin"], "mfa_verified": true, "mfa_age_seconds": 60}

test_public_allowed if gateway.decision.allow with input as {"resource": {"classification": "public"}, "user": {"authenticated": false}}

test_internal_needs_login if not gateway.decision.allow with input as {"resource": {"classification": "internal"}, "user": {"authenticated": false}}

test_internal_authenticated_allowed if gateway.decision.allow with input as {"resource": {"classification": "internal"}, "user": {"authenticated": true, "roles": []}}

test_restricted_admin_fresh_mfa_allowed if gateway.decision.allow with input as {"resource": {"classification": "restricted"}, "user": admin_fresh}

test_restricted_admin_old_mfa_steps_up if {
	d := gateway.decision with input as {"resource": {"classification": "restricted"}, "user": object.union(admin_fresh, {"mfa_age_seconds": 7200})}
	not d.allow
	d.step_up
}

test_restricted_non_admin_denied if {
	d := gateway.decision with input as {"resource": {"classification": "restricted"}, "user": {"authenticated": true, "roles": ["engineer"], "mfa_verified": true, "mfa_age_seconds": 1}}
	not d.allow
	not d.step_up
}
