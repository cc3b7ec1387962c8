# Tests for the zero-trust policy: every allow path and every reason to deny.
# Run with: vigil policy test examples/policies/zero-trust
package authz

now := 1700000000000000000

user_input := {
    "type": "user",
    "user": {"id": "alice", "role": "engineer", "mfa_verified": true, "mfa_age_hours": 1},
    "device": {"managed": true, "compliance_score": 85},
    "resource": {"name": "wiki", "classification": "internal"},
}

admin_restricted := {
    "type": "user",
    "user": {"id": "root", "role": "admin", "mfa_verified": true, "mfa_age_hours": 0.5, "approval_expiry_ns": 1700000000000000001},
    "device": {"managed": true, "compliance_score": 95},
    "resource": {"name": "prod-db", "classification": "restricted"},
}

service_input := {
    "type": "service",
    "tls": {"verified": true},
    "service": {"identity": "spiffe://vigil.local/ns/payments/sa/checkout"},
    "resource": {"name": "billing-api"},
}

# --- allow paths ---------------------------------------------------------------

test_user_with_fresh_mfa_on_compliant_device_is_allowed {
    allow with input as user_input
}

test_confidential_resource_is_allowed_like_internal {
    allow with input as json.patch(user_input, [{"op": "replace", "path": "/resource/classification", "value": "confidential"}])
}

test_admin_with_approval_on_restricted_is_allowed {
    allow with input as admin_restricted with time.now_ns as now
}

test_sre_role_on_restricted_is_allowed {
    allow with input as json.patch(admin_restricted, [{"op": "replace", "path": "/user/role", "value": "sre"}]) with time.now_ns as now
}

test_listed_service_with_verified_tls_is_allowed {
    allow with input as service_input
}

test_allowed_decision_has_no_reasons {
    decision == {"allow": true, "reasons": []} with input as user_input
}

# --- reasons to deny -------------------------------------------------------------

test_missing_mfa_is_denied {
    inp := json.patch(user_input, [{"op": "replace", "path": "/user/mfa_verified", "value": false}])
    not allow with input as inp
    deny_reasons["MFA is not verified"] with input as inp
}

test_stale_mfa_is_denied {
    inp := json.patch(user_input, [{"op": "replace", "path": "/user/mfa_age_hours", "value": 4}])
    not allow with input as inp
    deny_reasons["MFA is older than 4 hours"] with input as inp
}

test_unmanaged_device_is_denied {
    inp := json.patch(user_input, [{"op": "replace", "path": "/device/managed", "value": false}])
    not allow with input as inp
    deny_reasons["device is not managed"] with input as inp
}

test_low_compliance_score_is_denied {
    inp := json.patch(user_input, [{"op": "replace", "path": "/device/compliance_score", "value": 80}])
    not allow with input as inp
    deny_reasons["device compliance score must be above 80"] with input as inp
}

test_restricted_needs_score_above_90 {
    inp := json.patch(admin_restricted, [{"op": "replace", "path": "/device/compliance_score", "value": 90}])
    not allow with input as inp with time.now_ns as now
    deny_reasons["device compliance score must be above 90"] with input as inp with time.now_ns as now
}

test_restricted_needs_privileged_role {
    inp := json.patch(admin_restricted, [{"op": "replace", "path": "/user/role", "value": "engineer"}])
    not allow with input as inp with time.now_ns as now
    deny_reasons["role may not access restricted resources"] with input as inp with time.now_ns as now
}

test_restricted_with_expired_approval_is_denied {
    not allow with input as admin_restricted with time.now_ns as 1700000000000000001
    deny_reasons["no unexpired just-in-time approval"] with input as admin_restricted with time.now_ns as 1700000000000000001
}

test_restricted_without_approval_is_denied {
    inp := json.remove(admin_restricted, ["user/approval_expiry_ns"])
    not allow with input as inp with time.now_ns as now
    deny_reasons["no unexpired just-in-time approval"] with input as inp with time.now_ns as now
}

test_service_without_verified_tls_is_denied {
    inp := json.patch(service_input, [{"op": "replace", "path": "/tls/verified", "value": false}])
    not allow with input as inp
    deny_reasons["service TLS identity is not verified"] with input as inp
}

test_unlisted_service_is_denied {
    inp := json.patch(service_input, [{"op": "replace", "path": "/service/identity", "value": "spiffe://vigil.local/ns/dev/sa/intruder"}])
    not allow with input as inp
    deny_reasons["service is not allowed to call this resource"] with input as inp
}

test_service_calling_unknown_resource_is_denied {
    inp := json.patch(service_input, [{"op": "replace", "path": "/resource/name", "value": "unknown"}])
    not allow with input as inp
    deny_reasons["service is not allowed to call this resource"] with input as inp
}

test_unknown_caller_type_is_denied {
    inp := json.patch(user_input, [{"op": "replace", "path": "/type", "value": "robot"}])
    not allow with input as inp
    deny_reasons["unknown caller type"] with input as inp
}

test_empty_input_is_denied {
    not allow with input as {}
}

test_denied_decision_lists_reasons {
    d := decision with input as json.patch(user_input, [{"op": "replace", "path": "/device/managed", "value": false}])
    d.allow == false
    count(d.reasons) > 0
}

# A missing attribute still gives its reason (the deny reasons negate helper rules).
test_missing_attributes_give_reasons {
    deny_reasons["unknown caller type"] with input as {}
    no_age := json.patch(user_input, [{"op": "remove", "path": "/user/mfa_age_hours"}])
    deny_reasons["MFA is older than 4 hours"] with input as no_age
    no_score := json.patch(user_input, [{"op": "remove", "path": "/device/compliance_score"}])
    deny_reasons["device compliance score must be above 80"] with input as no_score
    no_role := json.patch(admin_restricted, [{"op": "remove", "path": "/user/role"}])
    deny_reasons["role may not access restricted resources"] with input as no_role
    deny_reasons["service is not allowed to call this resource"] with input as {"type": "service", "tls": {"verified": true}, "resource": {"name": "wiki"}}
}
