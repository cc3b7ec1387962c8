namespace Vigil.Server.Tests.Infrastructure;

/// <summary>Real Rego policies the functional tests run behind the gateway.</summary>
public static class TestPolicies
{
    public const string Gateway = """
        package vigil.gateway

        import rego.v1

        default decision := {"allow": false, "reason": "no rule allows this request"}

        decision := {"allow": true, "rule": "public"} if input.resource.classification == "public"

        decision := {"allow": true, "rule": "internal_authenticated"} if {
        	input.resource.classification == "internal"
        	input.user.authenticated == true
        }

        decision := {"allow": true, "rule": "admin_fresh_mfa"} if {
        	sensitive
        	is_admin
        	fresh_mfa
        }

        decision := {"allow": false, "reason": "fresh MFA required", "step_up": true, "mfa_max_age_seconds": 3600} if {
        	sensitive
        	is_admin
        	not fresh_mfa
        }

        decision := {"allow": false, "reason": "admin role required"} if {
        	sensitive
        	not is_admin
        }

        sensitive if input.resource.classification in {"confidential", "restricted"}

        is_admin if "admin" in input.user.roles

        fresh_mfa if {
        	input.user.mfa_verified == true
        	input.user.mfa_age_seconds < 3600
        }
        """;

    public const string Api = """
        package vigil.api

        import rego.v1

        default allow := false

        allow if {
        	input.type == "service"
        	input.service.identity == "reports-service"
        }

        allow if {
        	input.type == "user"
        	"engineer" in input.user.roles
        }
        """;

    public const string Network = """
        package vigil.net

        import rego.v1

        default allow := false

        allow if input.request.client_ip == "10.9.9.9"
        """;

    /// <summary>Two complete definitions with different values: evaluation fails with a conflict error.</summary>
    public const string Broken = """
        package vigil.broken

        import rego.v1

        x := 1 if input.request.method == "GET"

        x := 2 if input.request.path != ""
        """;
}
