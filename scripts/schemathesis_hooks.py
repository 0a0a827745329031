"""Hooks for scripts/schemathesis.sh (loaded through SCHEMATHESIS_HOOKS).

An `Idempotency-Key` names one logical request (issue 13): the SDK and the CLI send a fresh
key per call. The fuzzer draws keys from the schema, so it sends "0" with one order and then
with another, which the server rightly answers 422 IDEMPOTENCY_KEY_REUSED. Each generated
request gets a fresh key here, as a client would send it; key reuse itself is tested end to
end (tests/e2e/idempotency.rs).
"""

import uuid

import schemathesis


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key":
            headers[name] = str(uuid.uuid4())
