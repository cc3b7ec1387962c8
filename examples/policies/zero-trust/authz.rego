# Vigil's zero-trust access policy, in the v0 style of the design documents.
#
# Every request is judged on its own: who (user and MFA freshness), from what (device
# management and compliance), to what (resource classification) and, for restricted
# resources, under which just-in-time approval. Services authenticate with verified mTLS
# and must be listed for the resource they call.
package authz

default allow = false

# Users: fresh MFA from a managed, compliant device, for anything not restricted.
allow {
    input.type == "user"
    mfa_fresh
    device_trusted(80)
    input.resource.classification != "restricted"
}

# Users on restricted resources: a stronger device, a privileged role and an unexpired
# just-in-time approval.
allow {
    input.type == "user"
    mfa_fresh
    device_trusted(90)
    input.resource.classification == "restricted"
    input.user.role in data.restricted_access_roles
    time.now_ns() < input.user.approval_expiry_ns
}

# Service to service: verified mTLS and an identity listed for the resource.
allow {
    input.type == "service"
    input.tls.verified == true
    input.service.identity in data.allowed_services[input.resource.name]
}

mfa_fresh {
    input.user.mfa_verified == true
    input.user.mfa_age_hours < 4
}

device_trusted(min_score) {
    input.device.managed == true
    compliance_above(min_score)
}

compliance_above(min_score) {
    input.device.compliance_score > min_score
}

# Why a request is denied, for the deny page and the decision log. A test that may meet a missing
# attribute is negated through a helper rule: `not input.x < 4` fails (no reason) when input.x is
# missing, because OPA evaluates the operands of a negated call first; `not helper` is true then.
deny_reasons["unknown caller type"] {
    not known_caller_type
}

known_caller_type {
    input.type in {"user", "service"}
}

deny_reasons["MFA is not verified"] {
    input.type == "user"
    not input.user.mfa_verified == true
}

deny_reasons["MFA is older than 4 hours"] {
    input.type == "user"
    input.user.mfa_verified == true
    not mfa_recent
}

mfa_recent {
    input.user.mfa_age_hours < 4
}

deny_reasons["device is not managed"] {
    input.type == "user"
    not input.device.managed == true
}

deny_reasons[msg] {
    input.type == "user"
    input.device.managed == true
    required := required_score
    not compliance_above(required)
    msg := sprintf("device compliance score must be above %d", [required])
}

deny_reasons["role may not access restricted resources"] {
    input.type == "user"
    input.resource.classification == "restricted"
    not restricted_role
}

restricted_role {
    input.user.role in data.restricted_access_roles
}

deny_reasons["no unexpired just-in-time approval"] {
    input.type == "user"
    input.resource.classification == "restricted"
    not approval_valid
}

deny_reasons["service TLS identity is not verified"] {
    input.type == "service"
    not input.tls.verified == true
}

deny_reasons["service is not allowed to call this resource"] {
    input.type == "service"
    not service_listed
}

service_listed {
    input.service.identity in object.get(data.allowed_services, input.resource.name, [])
}

approval_valid {
    time.now_ns() < input.user.approval_expiry_ns
}

required_score = 90 {
    input.resource.classification == "restricted"
} else = 80

# The object the gateway asks for: the decision and, when denied, why.
decision = {"allow": allow, "reasons": reasons} {
    reasons := [r | deny_reasons[r]]
}
