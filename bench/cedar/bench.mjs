// Measures Cedar's official engine (cedar-wasm, run by Node) on the policy equivalent to Vigil's
// zero-trust example, with a pre-parsed policy set. Prints one JSON object: ns per decision per case.
import { readFileSync } from "node:fs";
import { preparsePolicySet, statefulIsAuthorized, getCedarVersion } from "@cedar-policy/cedar-wasm/nodejs";

const iterations = Number(process.argv[2] ?? 200000);
const policyText = readFileSync(new URL("./zero-trust.cedar", import.meta.url), "utf8");
const parsed = preparsePolicySet("zt", { staticPolicies: policyText });
if (parsed.type !== "success") {
  console.error(JSON.stringify(parsed.errors));
  process.exit(1);
}

const user = (overrides) => ({
  principal: { type: "User", id: "alice" },
  action: { type: "Action", id: "access" },
  resource: { type: "Resource", id: "wiki" },
  context: {
    type: "user",
    user: { mfa_verified: true, mfa_age_hours: 1, role: "engineer", approval_expiry_ns: 0 },
    device: { managed: true, compliance_score: 92 },
    resource: { classification: "internal" },
    tls: { verified: false },
    service: { identity: "" },
    now_ns: 1700000000000000000,
    ...overrides,
  },
  preparsedPolicySetId: "zt",
  entities: [],
});

// One resource entity per call: a real deployment fetches the called resource's entity from its store;
// passing all 100,000 would measure JSON marshalling, not the decision.
const service = {
  principal: { type: "Service", id: "caller" },
  action: { type: "Action", id: "access" },
  resource: { type: "Resource", id: "svc-50000" },
  context: {
    type: "service",
    tls: { verified: true },
    service: { identity: "spiffe://vigil.local/ns/svc-50000/sa/caller" },
  },
  preparsedPolicySetId: "zt",
  entities: [{
    uid: { type: "Resource", id: "svc-50000" },
    attrs: { allowed_services: ["spiffe://vigil.local/ns/svc-50000/sa/caller"] },
    parents: [],
  }],
};

const cases = {
  "allow": { call: user({}), expect: "allow" },
  "deny": { call: user({ user: { mfa_verified: true, mfa_age_hours: 9, role: "engineer", approval_expiry_ns: 0 } }), expect: "deny" },
  "service allow": { call: service, expect: "allow" },
};

const results = { engine: `cedar-wasm ${getCedarVersion()} on node ${process.version}`, iterations, ns_per_decision: {} };
for (const [name, { call, expect }] of Object.entries(cases)) {
  const answer = statefulIsAuthorized(call);
  if (answer.type !== "success" || answer.response.decision !== expect) {
    console.error(`${name}: unexpected answer ${JSON.stringify(answer)}`);
    process.exit(1);
  }
  for (let i = 0; i < Math.min(20000, iterations); i++) statefulIsAuthorized(call);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) statefulIsAuthorized(call);
  const elapsed = Number(process.hrtime.bigint() - start);
  results.ns_per_decision[name] = elapsed / iterations;
}
console.log(JSON.stringify(results));
